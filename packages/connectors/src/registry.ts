import { connectionTestExecutor } from './connection-test.ts';
import type { Executor } from './executor.ts';
import { httpExecutor } from './http.ts';
import { oauthTokenExecutor } from './oauth.ts';
import { pingExecutor } from './ping.ts';
import { sqlExecutor } from './sql.ts';
import { sqlBatchExecutor } from './sql-batch.ts';

/** Every executor by `kind`: what the API (Mode: Cloud) and the agent (Mode: On-premise) can run. */
export type Registry = ReadonlyMap<string, Executor>;

/**
 * Each executor keeps its own input type; in the registry the type is erased to `unknown`, which
 * is sound because callers run an executor only on what its own `input` schema parsed
 * (`parseInput`).
 */
export function createRegistry<T extends unknown[]>(executors: { [K in keyof T]: Executor<T[K]> }): Registry {
  const registry = new Map<string, Executor>();
  for (const executor of executors as readonly Executor<unknown>[]) {
    if (registry.has(executor.kind)) throw new Error(`two executors for "${executor.kind}"`);
    registry.set(executor.kind, executor);
  }
  return registry;
}

export const registry: Registry = createRegistry([
  pingExecutor,
  httpExecutor,
  sqlExecutor,
  sqlBatchExecutor,
  oauthTokenExecutor,
  connectionTestExecutor,
]);
