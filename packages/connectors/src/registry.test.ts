import { describe, expect, it } from 'vitest';
import { parseInput } from './executor.ts';
import { pingExecutor } from './ping.ts';
import { createRegistry, registry } from './registry.ts';

describe('the registry', () => {
  it('maps each kind to its executor', () => {
    expect([...registry.keys()].sort()).toEqual([
      'connection.test',
      'http',
      'oauth.token',
      'ping',
      'sql',
      'sql.batch',
    ]);
  });

  it('runs ping through the same interface as every executor', async () => {
    const ping = registry.get('ping');
    if (!ping) throw new Error('no ping');
    const output = await ping.run(parseInput(ping, { payload: 'x' }), {
      signal: new AbortController().signal,
      deadline: Date.now() + 1000,
    });
    expect(output.result).toMatchObject({ payload: 'x' });
  });

  it('refuses two executors of one kind', () => {
    expect(() => createRegistry([pingExecutor, pingExecutor])).toThrow(/two executors/);
  });
});
