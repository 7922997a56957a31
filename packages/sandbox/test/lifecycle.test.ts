import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { startScript } from '../src/index.ts';

/** Threads of this process (Linux): a sandbox worker is one more. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

async function settled(expected: number): Promise<number> {
  for (let i = 0; i < 50 && threadCount() > expected; i++) await new Promise((r) => setTimeout(r, 20));
  return threadCount();
}

describe('lifecycle', () => {
  test('dispose terminates the worker thread; a run after dispose is refused', async () => {
    const before = threadCount();
    const runs = await Promise.all(
      [1, 2, 3].map(() => startScript('function transform(r) { return r }', 'transform')),
    );
    expect(threadCount()).toBeGreaterThanOrEqual(before + 3);
    expect(await runs[0]?.run([1])).toEqual([{ ok: true, value: 1 }]);
    await Promise.all(runs.map((run) => run.dispose()));
    expect(await settled(before)).toBe(before);
    await expect(runs[0]?.run([1])).rejects.toThrow('The script run was disposed');
  });

  test('checkScript leaves no worker behind', async () => {
    const before = threadCount();
    await import('../src/index.ts').then(({ checkScript }) =>
      checkScript('while (true) {}', 'filter', { cpuMsPerRecord: 50 }),
    );
    expect(await settled(before)).toBe(before);
  });

  test('runs on one script are answered in the order they were asked', async () => {
    const run = await startScript('let n = 0; function transform(r) { return [r, ++n] }', 'transform');
    const answers = await Promise.all([run.run(['a']), run.run(['b', 'c']), run.run(['d'])]);
    expect(answers).toEqual([
      [{ ok: true, value: ['a', 1] }],
      [
        { ok: true, value: ['b', 2] },
        { ok: true, value: ['c', 3] },
      ],
      [{ ok: true, value: ['d', 4] }],
    ]);
    await run.dispose();
  });

  test('a batch that cannot be copied to the worker is refused whole, and the next batch runs', async () => {
    const run = await startScript('function transform(r) { return r }', 'transform');
    await expect(run.run([{ id: 1 }, { id: 2, callback: () => 1 }])).rejects.toThrow(/could not be cloned/);
    expect(await run.run([{ id: 3 }])).toEqual([{ ok: true, value: { id: 3 } }]);
    await run.dispose();
  });

  test('limits out of range are refused, naming the limit', async () => {
    await expect(
      startScript('function transform(r) { return r }', 'transform', { memoryBytes: 16 * 1024 }),
    ).rejects.toThrow(/^memoryBytes must be at least 1048576/);
    await expect(
      startScript('function transform(r) { return r }', 'transform', { cpuMsPerRecord: 0 }),
    ).rejects.toThrow(/^cpuMsPerRecord must be/);
  });
});
