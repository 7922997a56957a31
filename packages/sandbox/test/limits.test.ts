import { describe, expect, test } from 'vitest';
import { ScriptError, startScript } from '../src/index.ts';
import { script } from './helpers.ts';

describe('limits', () => {
  test('an infinite loop in the function is stopped at the CPU limit; the next record works', async () => {
    const run = await script(
      `let calls = 0;
      function transform(record) {
        calls++;
        if (record.loop) while (true) {}
        return { id: record.id, calls };
      }`,
      'transform',
      { cpuMsPerRecord: 200 },
    );
    const outcomes = await run.run([{ id: 1 }, { id: 2, loop: true }, { id: 3 }]);
    expect(outcomes[0]).toEqual({ ok: true, value: { id: 1, calls: 1 } });
    expect(outcomes[1]).toEqual({ ok: false, error: 'CPU time limit exceeded (200 ms)' });
    // A fresh runtime took over: the top-level code ran again.
    expect(outcomes[2]).toEqual({ ok: true, value: { id: 3, calls: 1 } });
  });

  test('a loop the script catches its way out of is stopped all the same', async () => {
    const run = await script(
      'function transform(record) { for (;;) { try { while (true) {} } catch (e) {} } }',
      'transform',
      { cpuMsPerRecord: 100 },
    );
    expect(await run.run([{}])).toEqual([{ ok: false, error: 'CPU time limit exceeded (100 ms)' }]);
  });

  test('an infinite loop at top level is refused at start with the CPU limit', async () => {
    const failure = await startScript('while (true) {}\nfunction transform(r) { return r }', 'transform', {
      cpuMsPerRecord: 100,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScriptError);
    expect(failure).toMatchObject({
      code: 'cpu_limit',
      message: 'CPU time limit exceeded (100 ms) in the top-level code',
    });
  });

  test.each([
    ['a growing string', "let s = 'x'; while (true) s = s.repeat(2);"],
    ['a growing array', 'const a = []; while (true) a.push({ n: a.length, text: "some text" + a.length });'],
    ['one huge allocation', 'return new Array(1e8).fill(0).length;'],
  ])('%s fails that record at the memory limit; the next record works', async (_name, bomb) => {
    const run = await script(
      `function transform(record) { if (record.bomb) { ${bomb} } return record.id; }`,
      'transform',
      { memoryBytes: 16 * 1024 * 1024, cpuMsPerRecord: 5000 },
    );
    const outcomes = await run.run([{ id: 1 }, { id: 2, bomb: true }, { id: 3 }]);
    expect(outcomes).toEqual([
      { ok: true, value: 1 },
      { ok: false, error: 'Memory limit exceeded (16 MiB)' },
      { ok: true, value: 3 },
    ]);
  });

  test('a memory error the script catches is its own: the record answers, and so does the next', async () => {
    const run = await script(
      "function transform(record) { try { const a = []; while (true) a.push('' + a.length); } catch (e) { return String(e) } }",
      'transform',
      { memoryBytes: 16 * 1024 * 1024 },
    );
    const [outcome] = await run.run([{}]);
    // Caught inside, the script answers normally: its runtime is still within its limit.
    expect(outcome).toEqual({ ok: true, value: 'InternalError: out of memory' });
    expect(await run.run([{}])).toEqual([{ ok: true, value: 'InternalError: out of memory' }]);
  });

  test('deep recursion is a clear error, not a crash; the next record works', async () => {
    const run = await script(
      `function down(n) { return down(n + 1) + 1; }
      function viaBuiltins(n) { return [n].map((m) => viaBuiltins(m + 1)); }
      function transform(record) {
        if (record.deep === 'plain') return down(0);
        if (record.deep === 'builtins') return viaBuiltins(0);
        if (record.deep === 'json') { let o = []; for (let i = 0; i < 1e5; i++) o = [o]; return JSON.stringify(o).length; }
        return record.id;
      }`,
    );
    const outcomes = await run.run([
      { deep: 'plain' },
      { id: 2 },
      { deep: 'builtins' },
      { deep: 'json' },
      { id: 5 },
    ]);
    expect(outcomes[0]).toEqual({
      ok: false,
      error: 'Stack overflow: the script recursed too deeply (line 1)',
    });
    expect(outcomes[1]).toEqual({ ok: true, value: 2 });
    expect(outcomes[2]).toMatchObject({ ok: false, error: expect.stringMatching(/^Stack overflow/) });
    expect(outcomes[3]).toMatchObject({ ok: false, error: expect.stringMatching(/^Stack overflow/) });
    expect(outcomes[4]).toEqual({ ok: true, value: 5 });
  });

  test('a built-in call that overruns the CPU limit and stops answering is terminated; the batch goes on', async () => {
    // Sorting two million strings is one call into the engine that its interrupt cannot stop (> 1 s).
    const run = await script(
      `function transform(record) {
        if (record.sort) return Object.keys('x'.repeat(2e6)).sort().length;
        return record.id;
      }`,
      'transform',
      { cpuMsPerRecord: 50, memoryBytes: 256 * 1024 * 1024 },
      { stallMs: 300 },
    );
    const outcomes = await run.run([{ id: 1 }, { sort: true }, { id: 3 }]);
    expect(outcomes).toEqual([
      { ok: true, value: 1 },
      { ok: false, error: 'The script stopped answering for 300 ms and was stopped' },
      { ok: true, value: 3 },
    ]);
    expect(await run.run([{ id: 4 }])).toEqual([{ ok: true, value: 4 }]);
  });
});
