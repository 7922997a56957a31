import { describe, expect, test } from 'vitest';
import { checkScript, ScriptError, startScript } from '../src/index.ts';

describe('checkScript', () => {
  test('a script that defines its function is fine', async () => {
    expect(await checkScript('function transform(record) {\n  return record;\n}', 'transform')).toEqual({
      ok: true,
    });
    expect(await checkScript('function filter(record) { return true }', 'filter')).toEqual({ ok: true });
  });

  test('a syntax error names its line and column in the user source', async () => {
    const source = [
      '// maps orders',
      'function transform(record) {',
      '  const total = record.amount *;',
      '  return total;',
      '}',
    ].join('\n');
    const check = await checkScript(source, 'transform');
    expect(check).toMatchObject({
      ok: false,
      line: 3,
      message: expect.stringMatching(/^SyntaxError: .+ \(line 3\)$/),
    });
    expect((check as { column: number }).column).toBeGreaterThan(20);
  });

  test('a syntax error on the first line is line 1', async () => {
    expect(await checkScript('function transform(record {}', 'transform')).toMatchObject({
      ok: false,
      line: 1,
    });
  });

  test('an import statement is a syntax error: scripts have no modules', async () => {
    const check = await checkScript("import fs from 'fs';\nfunction transform(r) { return r }", 'transform');
    expect(check).toMatchObject({ ok: false, line: 1, message: expect.stringMatching(/^SyntaxError/) });
  });

  test('a missing function is named', async () => {
    expect(await checkScript('function transfrom(record) { return record }', 'transform')).toEqual({
      ok: false,
      message: 'The script must define a function transform(record)',
      line: null,
      column: null,
    });
    expect(await checkScript('const filter = 1;', 'filter')).toEqual({
      ok: false,
      message: 'The script must define a function filter(record)',
      line: null,
      column: null,
    });
  });

  test('an infinite loop at top level is reported at the CPU limit', async () => {
    expect(await checkScript('for (;;) {}', 'transform', { cpuMsPerRecord: 100 })).toEqual({
      ok: false,
      message: 'CPU time limit exceeded (100 ms) in the top-level code',
      line: null,
      column: null,
    });
  });

  test('top-level code that throws names its line', async () => {
    expect(
      await checkScript(
        'const lookup = {};\nlookup.missing.key = 1;\nfunction transform(r) { return r }',
        'transform',
      ),
    ).toEqual({
      ok: false,
      message: "TypeError: cannot set property 'key' of undefined (line 2)",
      line: 2,
      column: expect.any(Number),
    });
  });

  test('startScript rejects with a ScriptError carrying the code and the line', async () => {
    const failure = await startScript('\n\nfunction transform(record) { return record. }', 'transform').catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ScriptError);
    expect(failure).toMatchObject({ code: 'syntax_error', line: 3 });
    const missing = await startScript('function other() {}', 'filter').catch((e: unknown) => e);
    expect(missing).toMatchObject({
      code: 'missing_function',
      message: 'The script must define a function filter(record)',
    });
  });
});
