import { describe, expect, test } from 'vitest';
import { script } from './helpers.ts';

describe('isolation', () => {
  test('the script sees only standard built-ins: no process, require, fetch, timers or host objects', async () => {
    const run = await script(`
      function transform(record) {
        return {
          process: typeof process,
          require: typeof require,
          module: typeof module,
          fetch: typeof globalThis.fetch,
          XMLHttpRequest: typeof XMLHttpRequest,
          WebSocket: typeof WebSocket,
          setTimeout: typeof setTimeout,
          setInterval: typeof setInterval,
          queueMicrotask: typeof queueMicrotask,
          Buffer: typeof Buffer,
          WebAssembly: typeof WebAssembly,
          Atomics: typeof Atomics,
          std: typeof std,
          os: typeof os,
          date: typeof new Date().toISOString(),
          random: typeof Math.random(),
        };
      }`);
    const [outcome] = await run.run([{}]);
    expect(outcome).toEqual({
      ok: true,
      value: {
        process: 'undefined',
        require: 'undefined',
        module: 'undefined',
        fetch: 'undefined',
        XMLHttpRequest: 'undefined',
        WebSocket: 'undefined',
        setTimeout: 'undefined',
        setInterval: 'undefined',
        queueMicrotask: 'undefined',
        Buffer: 'undefined',
        WebAssembly: 'undefined',
        Atomics: 'undefined',
        std: 'undefined',
        os: 'undefined',
        date: 'string',
        random: 'number',
      },
    });
  });

  test('calling what is absent fails the record', async () => {
    const run = await script(`
      function transform(record) {
        if (record.call === 'require') return require('fs');
        if (record.call === 'fetch') return fetch('http://127.0.0.1/');
        if (record.call === 'setTimeout') return setTimeout(() => {}, 1);
        return process.env;
      }`);
    const outcomes = await run.run([
      { call: 'require' },
      { call: 'fetch' },
      { call: 'setTimeout' },
      { call: 'process' },
    ]);
    expect(outcomes).toEqual([
      { ok: false, error: "ReferenceError: 'require' is not defined (line 3)" },
      { ok: false, error: "ReferenceError: 'fetch' is not defined (line 4)" },
      { ok: false, error: "ReferenceError: 'setTimeout' is not defined (line 5)" },
      { ok: false, error: "ReferenceError: 'process' is not defined (line 6)" },
    ]);
  });

  test("import('fs') is refused", async () => {
    const run = await script(`
      let imported = 'pending';
      function transform(record) {
        if (record.step === 1) {
          import('fs').then(
            (fs) => { imported = 'loaded: ' + Object.keys(fs).join(','); },
            (error) => { imported = 'refused: ' + error.message; },
          );
          return null;
        }
        return imported;
      }`);
    const [, second] = await run.run([{ step: 1 }, { step: 2 }]);
    expect(second).toMatchObject({ ok: true, value: expect.stringMatching(/^refused: /) });
  });

  test('prototype pollution inside the sandbox does not reach the host', async () => {
    const run = await script(`
      Object.prototype.polluted = 'yes';
      Array.prototype.map = null;
      JSON.parse = () => ({ hijacked: true });
      function transform(record) {
        Object.prototype.toString = () => 'hacked';
        return Object.assign(JSON.parse('{"__proto__": {"polluted": "through JSON"}}'), record, { constructor: { prototype: { polluted: 'via constructor' } } });
      }`);
    const [outcome] = await run.run([{ id: 1 }]);
    expect(outcome?.ok).toBe(true);
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.prototype.toString.call([])).toBe('[object Array]');
    expect(typeof Array.prototype.map).toBe('function');
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
    // The returned value is plain data: its own __proto__ key is not the host's prototype.
    const value = (outcome as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value.constructor)).toBe(Object.prototype);
  });

  test('globals a script defines stay in its own run', async () => {
    const first = await script('var shared = 1; function transform(record) { return typeof other }');
    const second = await script('var other = 2; function transform(record) { return typeof shared }');
    expect(await first.run([{}])).toEqual([{ ok: true, value: 'undefined' }]);
    expect(await second.run([{}])).toEqual([{ ok: true, value: 'undefined' }]);
  });
});
