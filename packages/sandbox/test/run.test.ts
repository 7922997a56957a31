import { describe, expect, test } from 'vitest';
import { script } from './helpers.ts';

describe('running records', () => {
  test('a transform returns each record changed, in order; null or undefined drops it', async () => {
    const run = await script(`
      const suffix = '!';
      function transform(record) {
        if (record.drop === 'null') return null;
        if (record.drop === 'undefined') return;
        return { ...record, name: record.name.toUpperCase() + suffix, at: typeof Date.now() };
      }`);
    const outcomes = await run.run([
      { name: 'a' },
      { name: 'b', drop: 'null' },
      { name: 'c', drop: 'undefined' },
      { name: 'd' },
    ]);
    expect(outcomes).toEqual([
      { ok: true, value: { name: 'A!', at: 'number' } },
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: { name: 'D!', at: 'number' } },
    ]);
    expect(await run.run([])).toEqual([]);
    expect(await run.run([{ name: 'e' }])).toEqual([{ ok: true, value: { name: 'E!', at: 'number' } }]);
  });

  test('a const arrow function counts as defined, and values other than objects go through', async () => {
    const run = await script('const transform = (record) => record;');
    expect(await run.run([1, 'two', [3], null, true])).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 'two' },
      { ok: true, value: [3] },
      { ok: true, value: null },
      { ok: true, value: true },
    ]);
  });

  test('a filter answers whether to keep each record', async () => {
    const run = await script(
      'function filter(record) { return record.amount > 10 && record.status }',
      'filter',
    );
    const outcomes = await run.run([
      { amount: 5, status: 'paid' },
      { amount: 50, status: 'paid' },
      { amount: 50, status: '' },
    ]);
    expect(outcomes).toEqual([
      { ok: true, value: false },
      { ok: true, value: true },
      { ok: true, value: false },
    ]);
  });

  test('a record whose call throws fails with the message and the line; the next records succeed', async () => {
    const run = await script(
      [
        'function transform(record) {',
        '  if (record.id === 2) {',
        "    throw new TypeError('no id 2');",
        '  }',
        '  return record.missing.field;',
        '}',
      ].join('\n'),
    );
    const outcomes = await run.run([
      { id: 1, missing: { field: 'x' } },
      { id: 2 },
      { id: 3 },
      { id: 4, missing: { field: 'y' } },
    ]);
    expect(outcomes).toEqual([
      { ok: true, value: 'x' },
      { ok: false, error: 'TypeError: no id 2 (line 3)' },
      { ok: false, error: "TypeError: cannot read property 'field' of undefined (line 5)" },
      { ok: true, value: 'y' },
    ]);
  });

  test('a thrown value that is not an Error is described', async () => {
    const run = await script("function transform(record) { throw { reason: 'nope' } }");
    expect(await run.run([{}])).toEqual([{ ok: false, error: 'threw {"reason":"nope"}' }]);
  });

  test('a return value that is not JSON fails that record with a clear message', async () => {
    const run = await script(`
      function transform(record) {
        switch (record.kind) {
          case 'function': return () => 1;
          case 'bigint': return { n: 10n };
          case 'cycle': { const o = {}; o.self = o; return o; }
          case 'symbol': return Symbol('s');
          case 'promise': return Promise.resolve(record);
          default: return record;
        }
      }`);
    const outcomes = await run.run(
      ['function', 'bigint', 'cycle', 'symbol', 'promise', 'fine'].map((kind) => ({ kind })),
    );
    expect(outcomes[0]).toEqual({ ok: false, error: 'returned a value that is not JSON (a function)' });
    expect(outcomes[1]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^returned a value that is not JSON \(.*BigInt/),
    });
    expect(outcomes[2]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^returned a value that is not JSON \(.*circular/),
    });
    expect(outcomes[3]).toEqual({ ok: false, error: 'returned a value that is not JSON (a symbol)' });
    expect(outcomes[4]).toEqual({
      ok: false,
      error: 'returned a Promise: the function must return its result directly',
    });
    expect(outcomes[5]).toEqual({ ok: true, value: { kind: 'fine' } });
  });

  test('console lines are captured with their level, each capped in length, and their number capped', async () => {
    const run = await script(`
      function transform(record) {
        console.log('record', record.id, { id: record.id });
        console.warn('careful');
        console.error(new Error('bad').message);
        if (record.long) console.log('x'.repeat(5000));
        if (record.many) for (let i = 0; i < 1500; i++) console.info(i);
        return record;
      }`);
    await run.run([{ id: 1 }]);
    expect(run.takeLogs()).toEqual([
      { level: 'info', message: 'record 1 {"id":1}' },
      { level: 'warn', message: 'careful' },
      { level: 'error', message: 'bad' },
    ]);
    expect(run.takeLogs()).toEqual([]);

    await run.run([{ id: 2, long: true }]);
    const long = run.takeLogs()[3];
    expect(long?.message).toBe(`${'x'.repeat(2000)}…`);

    await run.run([{ id: 3, many: true }]);
    const lines = run.takeLogs();
    expect(lines).toHaveLength(1001);
    expect(lines[1000]).toEqual({ level: 'warn', message: '… 503 more log lines were dropped' });
  });
});
