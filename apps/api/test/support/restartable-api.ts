import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { freePort, type Instance, startInstance, testPrefix } from '../scale-out/cluster.ts';
import { setUpTenant } from '../scale-out/tenant.ts';
import { type FaultAgent, startFaultAgent, waitForAgent } from './fault-agents.ts';
import type { As } from './flows.ts';
import { overHttp } from './sql-flow.ts';

/**
 * One real API process (the built bundle, no Redis) on a database and a port that outlive it, with
 * a tenant, an API token and a real agent connected: what the fault tests kill, stop and start again.
 */
export interface RestartableApi {
  url: string;
  /** The API's own database, for what the API cannot say while it is down. */
  db: Database;
  as: As;
  agent: FaultAgent;
  /** The process running now. */
  current(): Instance;
  /** Starts a new process on the same port and database (the previous one must have exited). */
  start(name: string): Promise<Instance>;
  close(): Promise<void>;
}

export async function startRestartableApi(
  options: { databaseUrl?: string; env?: Record<string, string> } = {},
): Promise<RestartableApi> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? (database as TestDatabase).url;
  const db = createDatabaseClient({ url: databaseUrl, poolSize: 1 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let current: Instance | null = null;
  const start = async (name: string) => {
    await current?.stop();
    current = await startInstance(
      name,
      {
        databaseUrl,
        prefix: testPrefix(),
        env: {
          REDIS_URL: '',
          OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
          OUTPOST_DRAIN_GRACE_MS: '5000',
          ...options.env,
        },
      },
      port,
    );
    return current;
  };
  await start('first');
  const { apiToken } = await setUpTenant(url);
  const as = overHttp(() => url, apiToken);
  const agent = await startFaultAgent(as, () => url, 'LAN agent');
  await waitForAgent(as, agent, 'online');
  return {
    url,
    db,
    as,
    agent,
    current: () => {
      if (!current) throw new Error('no API process');
      return current;
    },
    start,
    async close() {
      await agent.stop();
      await current?.stop();
      await db.$disconnect();
      await database?.drop();
    },
  };
}
