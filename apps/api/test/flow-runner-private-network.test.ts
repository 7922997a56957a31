import { readFileSync } from 'node:fs';
import { closeSqlPools } from '@outpost/connectors/sql';
import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getConnection, runSqlQuery } from '../src/modules/connections/service.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';
import { exactlyOnce, type FlowDestination, startFlowDestination } from './support/flow-destination.ts';
import { type As, create, getRun, runNow, waitForRun } from './support/flows.ts';
import {
  type AgentProcess,
  buildPrivateNetwork,
  type PrivateNetwork,
  waitFor,
} from './support/private-network.ts';

/**
 * The flows: 100,000 rows of a PostgreSQL table inside the private network
 * (support/private-network.ts), read through the real agent (On-premise), through a transform
 * script, to an HTTP endpoint outside (Cloud) that stores what it receives by Idempotency-Key,
 * and to a PostgreSQL table outside with no unique constraint (a duplicate would be a second row).
 */

const ROWS = 100_000;
const PAGE_SIZE = 2000;

const cleanups: (() => Promise<void> | void)[] = [];
let network: PrivateNetwork;
let t: TestApp;
let owner: SignedUp;
let agent: AgentProcess;
let destination: FlowDestination;
let outside: TestDatabase;
let outsideSql: Database;
let exportId: string;
let transformId: string;
let httpImportId: string;
let sqlImportId: string;

const as: As = (method, url, body) =>
  call(t.app, method, url, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });

async function waitOnline(agentId: string, online: boolean) {
  await waitFor(
    async () => ((await as('GET', `/v1/agents/${agentId}`)).json().status === 'online') === online,
    `the agent to be ${online ? 'online' : 'offline'}`,
    network.agentLog,
    30_000,
  );
}

beforeAll(async () => {
  network = await buildPrivateNetwork();
  cleanups.push(() => network.close());
  try {
    await network.startPostgres();
    destination = await startFlowDestination({ maxId: ROWS });
    cleanups.push(() => destination.close());
    outside = await createTestDatabase({ empty: true });
    cleanups.push(() => outside.drop());
    outsideSql = createDatabaseClient({ url: outside.url, poolSize: 1 });
    cleanups.push(() => outsideSql.$disconnect());
    await outsideSql.$executeRawUnsafe('CREATE TABLE received (id int NOT NULL, name text, domain text)');

    t = await startTestApp({
      OUTPOST_AGENT_HEARTBEAT_MS: '2000',
      OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
    });
    cleanups.push(async () => {
      await t.close();
      await closeSqlPools();
    });
    const apiUrl = await t.app.listen({ port: 0, host: network.net.root });
    owner = await signUp(t.app);
    const agentId = (await as('POST', '/v1/agents', { name: 'LAN agent' })).json().id as string;
    const { token } = (await as('GET', `/v1/agents/${agentId}/token`)).json();
    agent = await network.startAgent(apiUrl, token);
    await waitOnline(agentId, true);

    const lanDb = await create(as, '/v1/connections', {
      name: 'Customers DB on the LAN',
      type: 'POSTGRES',
      mode: 'ON_PREMISE',
      agentId,
      sql: { host: 'db.corp.test', database: 'postgres', user: 'outpost', password: network.pgPassword },
    });
    const environment = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'production' },
    });
    const deps = {
      db: t.db,
      secrets: t.app.secrets,
      hub: t.app.hub,
      privateTargets: t.app.config.privateTargets,
    };
    const connection = await getConnection({ db: t.db }, environment.scopeId, lanDb);
    for (const sql of [
      'CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL)',
      `INSERT INTO customers SELECT n, 'customer ' || n, 'c' || n || '@corp' || (n % 7) || '.test' FROM generate_series(1, ${ROWS}) AS n`,
    ])
      await runSqlQuery(deps, connection, { sql });

    exportId = await create(as, '/v1/exports', {
      name: 'Customers',
      connectionId: lanDb,
      sql: { query: 'SELECT id, name, email FROM customers', keyColumn: 'id' },
    });
    transformId = await create(as, '/v1/scripts', {
      name: 'Shape customer',
      kind: 'TRANSFORM',
      source: `function transform(c) {
        return { id: c.id, name: c.name.toUpperCase(), domain: c.email.split('@')[1] };
      }`,
    });
    const api = await create(as, '/v1/connections', {
      name: 'CRM API',
      type: 'HTTP',
      http: { baseUri: destination.url },
    });
    httpImportId = await create(as, '/v1/imports', {
      name: 'Customers to the CRM',
      connectionId: api,
      http: { path: '/customers', mode: 'batch', batchSize: 1000 },
    });
    const outsideUrl = new URL(outside.url);
    const warehouse = await create(as, '/v1/connections', {
      name: 'Warehouse',
      type: 'POSTGRES',
      sql: {
        host: '127.0.0.1',
        port: Number(outsideUrl.port || 5432),
        database: outside.name,
        user: decodeURIComponent(outsideUrl.username),
        tls: 'disable',
      },
    });
    sqlImportId = await create(as, '/v1/imports', {
      name: 'Customers to the warehouse',
      connectionId: warehouse,
      sql: {
        table: 'received',
        columns: [
          { column: 'id', field: 'id' },
          { column: 'name', field: 'name' },
          { column: 'domain', field: 'domain' },
        ],
        batchSize: 1000,
      },
    });
  } catch (error) {
    throw new Error(`${String(error)}\nagent log:\n${network.agentLog()}`);
  }
}, 180_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('flow private-network clean-up:', error);
    }
  }
}, 60_000);

beforeEach(() => destination.reset());

let flows = 0;
function flow(importIds: string[]): Promise<string> {
  flows += 1;
  return create(as, '/v1/flows', {
    name: `Customers out ${flows}`,
    exportId,
    scriptIds: [transformId],
    importIds,
    pageSize: PAGE_SIZE,
  });
}

/** The resident set of a process in MiB, from /proc (the agent runs in the namespace, same /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** Samples memory every 250 ms while a run goes on: the API process (this one) and the agent's. */
function sampleMemory() {
  const samples: { rss: number; heap: number; agent: number; pages: number }[] = [];
  let pages = 0;
  const take = () => {
    const memory = process.memoryUsage();
    let agentRss = 0;
    try {
      agentRss = rssOf(agent.pid);
    } catch {
      // The agent is down (killed on purpose).
    }
    samples.push({ rss: memory.rss / 2 ** 20, heap: memory.heapUsed / 2 ** 20, agent: agentRss, pages });
  };
  take();
  const timer = setInterval(take, 250);
  return {
    pages(done: number) {
      pages = done;
    },
    stop(label: string) {
      clearInterval(timer);
      take();
      const stat = (key: 'rss' | 'heap' | 'agent') => {
        const values = samples.map((sample) => sample[key]).filter((value) => value > 0);
        const at = (fraction: number) => {
          const sample = samples.find((s) => s.pages >= (ROWS / PAGE_SIZE) * fraction && s[key] > 0);
          return sample ? sample[key].toFixed(0) : '-';
        };
        return `${key}: start ${values[0]?.toFixed(0)} MiB, at 25/50/75 % ${at(0.25)}/${at(0.5)}/${at(0.75)} MiB, peak ${Math.max(...values).toFixed(0)} MiB, end ${values.at(-1)?.toFixed(0)} MiB`;
      };
      console.log(
        `[flow memory] ${label} (${samples.length} samples, API in this process): ${stat('rss')}; ${stat('heap')} (heap used); ${stat('agent')} (the agent process)`,
      );
    },
  };
}

async function watch(runId: string, memory: ReturnType<typeof sampleMemory>, timeoutMs = 240_000) {
  return waitForRun(as, runId, {
    timeoutMs,
    until: (run) => {
      memory.pages(run.pagesDone);
      return ['succeeded', 'failed', 'cancelled'].includes(run.status);
    },
  });
}

describe('a flow from a table in the private network to the outside', () => {
  it(`moves ${ROWS.toLocaleString('en-US')} rows through the agent and a script to an HTTP endpoint, each exactly once`, async () => {
    const flowId = await flow([httpImportId]);
    const memory = sampleMemory();
    const started = Date.now();
    const run = await watch(await runNow(as, flowId), memory);
    memory.stop(`${ROWS} rows to HTTP in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: ROWS, written: ROWS, failed: 0 },
      error: null,
    });
    expect(exactlyOnce(destination, 1, ROWS)).toEqual({ once: ROWS, missing: 0, duplicated: 0 });
    expect(destination.stored()).toBe(ROWS);
    expect(destination.malformed).toBe(0);
    expect(destination.lastRecord).toEqual({
      id: ROWS,
      name: `CUSTOMER ${ROWS}`,
      domain: `corp${ROWS % 7}.test`,
    });
    // Every batch came once: nothing was retried.
    expect(new Set(destination.deliveries.values())).toEqual(new Set([1]));
  }, 300_000);

  it('survives the agent killed (SIGKILL) and restarted mid-run: no record lost or written twice, to HTTP and to SQL', async () => {
    const flowId = await flow([httpImportId, sqlImportId]);
    const agentId = (await t.db.agent.findFirstOrThrow({ where: { name: 'LAN agent' } })).id;
    const memory = sampleMemory();
    const runId = await runNow(as, flowId);
    const midway = await waitForRun(as, runId, {
      timeoutMs: 120_000,
      until: (run) => run.pagesDone >= 8 || ['succeeded', 'failed', 'cancelled'].includes(run.status),
    });
    expect(midway.status).toBe('running');
    await agent.kill();
    await waitOnline(agentId, false);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const whileDown = await getRun(as, runId);
    expect(whileDown.status).toBe('running');
    await agent.restart();
    const run = await watch(runId, memory);
    memory.stop(`${ROWS} rows to HTTP and SQL, agent killed at page ${midway.pagesDone}`);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: ROWS, written: ROWS, failed: 0 },
      error: null,
    });
    expect(run.logs.map((line) => line.message)).toContainEqual(
      expect.stringMatching(/^Agent "LAN agent" is offline; retrying page \d+ in \d+ s$/),
    );
    expect(exactlyOnce(destination, 1, ROWS)).toEqual({ once: ROWS, missing: 0, duplicated: 0 });
    const [rows] = await outsideSql.$queryRawUnsafe<{ total: bigint; distinct: bigint }[]>(
      'SELECT count(*) AS total, count(DISTINCT id) AS distinct FROM received',
    );
    expect({ total: Number(rows?.total), distinct: Number(rows?.distinct) }).toEqual({
      total: ROWS,
      distinct: ROWS,
    });
  }, 300_000);
});
