import { closeSqlPools } from '@outpost/connectors/sql';
import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';
import { exactlyOnce, type FlowDestination, startFlowDestination } from './support/flow-destination.ts';
import { type As, create, getRun, runErrors, runNow, waitForRun } from './support/flows.ts';

/**
 * The flow runner in the API process, Mode: Cloud, against a real PostgreSQL source (a database
 * of its own on the local server) and a real HTTP destination on loopback, which this app is told
 * to treat as reachable (OUTPOST_ALLOW_PRIVATE_TARGETS=127.0.0.1/32) as a self-hosted install
 * would. On-premise through the agent is in flow-runner-private-network.test.ts.
 */

let t: TestApp;
let owner: SignedUp;
let destination: FlowDestination;
let source: TestDatabase;
/** The source database, for the test's own statements. */
let sourceSql: Database;
let sourceConnectionId: string;
let apiConnectionId: string;
let ordersExportId: string;
let apiImportId: string;
let counter = 0;

const as: As = (method, url, body) =>
  call(t.app, method, url, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });

const unique = (label: string) => `${label} ${++counter}`;

async function flow(options: {
  exportId?: string;
  scriptIds?: string[];
  importIds?: string[];
  pageSize?: number;
  schedule?: string;
}): Promise<string> {
  return create(as, '/v1/flows', {
    name: unique('Flow'),
    exportId: options.exportId ?? ordersExportId,
    scriptIds: options.scriptIds ?? [],
    importIds: options.importIds ?? [apiImportId],
    pageSize: options.pageSize ?? 1000,
    ...(options.schedule ? { schedule: options.schedule } : {}),
  });
}

function script(kind: 'TRANSFORM' | 'FILTER', source: string, name = unique('Script')): Promise<string> {
  return create(as, '/v1/scripts', { name, kind, source });
}

/** A promise the test resolves: what the destination waits on to hold a request. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

beforeAll(async () => {
  destination = await startFlowDestination({ maxId: 10_000 });
  source = await createTestDatabase({ empty: true });
  sourceSql = createDatabaseClient({ url: source.url, poolSize: 1 });
  for (const statement of [
    'CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, amount int NOT NULL)',
    `INSERT INTO orders SELECT n, 'item ' || n, n % 100 FROM generate_series(1, 2500) AS n`,
    'CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL)',
    `INSERT INTO events SELECT n, 'created' FROM generate_series(1, 1200) AS n`,
  ])
    await sourceSql.$executeRawUnsafe(statement);
  t = await startTestApp({ OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32' });
  owner = await signUp(t.app);
  const sourceUrl = new URL(source.url);
  sourceConnectionId = await create(as, '/v1/connections', {
    name: 'Orders DB',
    type: 'POSTGRES',
    sql: {
      host: '127.0.0.1',
      port: Number(sourceUrl.port || 5432),
      database: source.name,
      user: decodeURIComponent(sourceUrl.username),
      tls: 'disable',
    },
  });
  apiConnectionId = await create(as, '/v1/connections', {
    name: 'Orders API',
    type: 'HTTP',
    http: { baseUri: destination.url },
  });
  ordersExportId = await create(as, '/v1/exports', {
    name: 'All orders',
    connectionId: sourceConnectionId,
    sql: { query: 'SELECT id, item, amount FROM orders', keyColumn: 'id' },
  });
  apiImportId = await create(as, '/v1/imports', {
    name: 'Orders to the API',
    connectionId: apiConnectionId,
    http: { path: '/orders', mode: 'batch', batchSize: 250 },
  });
});

afterAll(async () => {
  await t?.close();
  await closeSqlPools();
  await sourceSql?.$disconnect();
  await source?.drop();
  await destination?.close();
});

beforeEach(() => destination.reset());

describe('a flow run', () => {
  it('goes queued → running → succeeded, with the counts, its log and the records at the destination', async () => {
    const double = await script(
      'TRANSFORM',
      'function transform(r) { return { ...r, doubled: r.amount * 2 }; }',
      'Double',
    );
    const flowId = await flow({ scriptIds: [double] });
    const held = gate();
    destination.before = () => held.opened;
    const queued = await as('POST', `/v1/flows/${flowId}/runs`);
    expect(queued.statusCode, queued.body).toBe(202);
    expect(queued.json()).toMatchObject({ status: 'queued', trigger: 'manual', triggeredBy: owner.email });
    const runId = queued.json().id as string;

    const running = await waitForRun(as, runId, { until: (run) => run.status !== 'queued' });
    expect(running).toMatchObject({ status: 'running', startedAt: expect.any(String), finishedAt: null });
    held.open();

    const run = await waitForRun(as, runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: 2500, written: 2500, failed: 0 },
      pagesDone: 3,
      error: null,
      finishedAt: expect.any(String),
    });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(exactlyOnce(destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    expect(destination.stored()).toBe(2500);
    expect(destination.lastRecord).toEqual({ id: 2500, item: 'item 2500', amount: 0, doubled: 0 });
    const messages = run.logs.map((line) => line.message);
    expect(messages[0]).toBe(
      `Started by ${owner.email}: export "All orders" → script "Double" → import "Orders to the API", pages of 1000`,
    );
    expect(messages.at(-1)).toMatch(/^Succeeded: 2,500 read, 2,500 written, 0 failed, 3 pages in \d+\.\d s$/);
    expect(await runErrors(as, runId)).toEqual([]);
    const metrics = await t.app.metrics.registry.getSingleMetricAsString('outpost_flow_runs_total');
    expect(metrics).toContain('outpost_flow_runs_total{status="succeeded"} 1');
  });

  it('sets aside a record a script throws on, with the error and the record as it entered that script, and goes on', async () => {
    const tag = await script(
      'TRANSFORM',
      `function transform(r) {
        if (r.id === 1) console.log('first record', r.id);
        if (r.id === 7) return null;
        return { ...r, tagged: true };
      }`,
      'Tag',
    );
    const onlyFirst = await script('FILTER', 'function filter(r) { return r.id <= 2000; }');
    const picky = await script(
      'TRANSFORM',
      `function transform(r) {
        if (r.id % 500 === 0) throw new Error('no multiples of 500: ' + r.id);
        return r;
      }`,
      'Picky',
    );
    const runId = await runNow(as, await flow({ scriptIds: [tag, onlyFirst, picky] }));
    const run = await waitForRun(as, runId);
    // 2,000 pass the filter; id 7 is dropped by the first script; 500, 1000, 1500 and 2000 fail.
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 1995, failed: 4 } });
    const errors = await runErrors(as, runId);
    expect(errors.map((error) => error.index + 1 + (error.page - 1) * 1000)).toEqual([500, 1000, 1500, 2000]);
    expect(errors[0]).toMatchObject({
      page: 1,
      index: 499,
      stage: 'script',
      step: 'Picky',
      message: expect.stringContaining('no multiples of 500: 500'),
      record: { id: 500, item: 'item 500', amount: 0, tagged: true },
    });
    expect(exactlyOnce(destination, 1, 2000)).toEqual({ once: 1995, missing: 5, duplicated: 0 });
    expect(destination.received[7]).toBe(0);
    expect(exactlyOnce(destination, 2001, 2500).missing).toBe(500);
    expect(run.logs.map((line) => line.message)).toContain('[Tag] first record 1');
  });

  it('stops a script in an endless loop at its CPU limit: those records fail, the run goes on', async () => {
    const loop = await script(
      'TRANSFORM',
      'function transform(r) { if (r.id === 3 || r.id === 1003) { while (true) {} } return r; }',
      'Endless',
    );
    const runId = await runNow(as, await flow({ scriptIds: [loop] }));
    const run = await waitForRun(as, runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2498, failed: 2 } });
    const errors = await runErrors(as, runId);
    expect(errors).toHaveLength(2);
    for (const [error, id] of [
      [errors[0], 3],
      [errors[1], 1003],
    ] as const)
      expect(error).toMatchObject({
        stage: 'script',
        step: 'Endless',
        message: expect.stringMatching(/CPU time limit/),
        record: { id },
      });
    expect(exactlyOnce(destination, 1, 2500)).toEqual({ once: 2498, missing: 2, duplicated: 0 });
  });

  it('fails with the database message when the import writes into a missing table', async () => {
    const missing = await create(as, '/v1/imports', {
      name: 'Into a missing table',
      connectionId: sourceConnectionId,
      sql: { table: 'missing', columns: [{ column: 'id', field: 'id' }] },
    });
    const runId = await runNow(as, await flow({ importIds: [missing] }));
    const run = await waitForRun(as, runId);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('relation "missing" does not exist');
    expect(run.counts).toEqual({ read: 0, written: 0, failed: 0 });
    expect(run.pagesDone).toBe(0);
    expect(run.logs.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/^Failed at page 1: .*relation "missing" does not exist/),
    });
  });

  it('is cancelled while it runs: the page in flight stops and the run is cancelled', async () => {
    const flowId = await flow({ pageSize: 500 });
    const held = gate();
    destination.before = () => held.opened;
    const runId = await runNow(as, flowId);
    await waitForRun(as, runId, { until: () => destination.deliveries.size > 0 });
    const cancel = await as('POST', `/v1/runs/${runId}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    const run = await waitForRun(as, runId, { timeoutMs: 10_000 });
    held.open();
    expect(run).toMatchObject({ status: 'cancelled', pagesDone: 0, finishedAt: expect.any(String) });
    expect(run.logs.at(-1)?.message).toMatch(/^Cancelled at page 1/);
    // Cancelled means stopped: nothing goes on in the background.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await getRun(as, runId)).pagesDone).toBe(0);
  });

  it('left RUNNING by an instance that died, is resumed from pagesDone by another and finishes with no duplicate', async () => {
    const flowId = await flow({ pageSize: 500 });
    const held = gate();
    // Page 3 hangs, as if its instance froze there.
    destination.before = (key) => (key.split(':')[3] === '3' ? held.opened : undefined);
    const runId = await runNow(as, flowId);
    await waitForRun(as, runId, {
      until: () => [...destination.deliveries.keys()].some((key) => key.split(':')[3] === '3'),
    });
    expect((await getRun(as, runId)).pagesDone).toBe(2);
    // The instance holding it dies: its claim and heartbeat are another's, a minute old.
    await t.db.flowRun.update({
      where: { id: runId },
      data: { claimedBy: 'api-that-died', heartbeatAt: new Date(Date.now() - 60_000) },
    });
    held.open();
    const run = await waitForRun(as, runId);
    // Five full pages, then an empty one that says there is no more.
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: 2500, written: 2500, failed: 0 },
      pagesDone: 6,
    });
    expect(exactlyOnce(destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    const deliveries = (page: string) =>
      [...destination.deliveries.entries()]
        .filter(([key]) => key.split(':')[3] === page)
        .map(([, times]) => times);
    // Pages 1 and 2 were not sent again; page 3 was (and the destination knew its key).
    expect(deliveries('1')).toEqual([1, 1]);
    expect(deliveries('2')).toEqual([1, 1]);
    expect(Math.max(...deliveries('3'))).toBe(2);
    expect(run.logs.map((line) => line.message)).toContainEqual(
      expect.stringMatching(
        /^Resumed at page 3 \(2 done before\): the API instance running it stopped answering/,
      ),
    );
  });

  it('reads only the new rows of an incremental SQL export on the next run', async () => {
    const eventsExportId = await create(as, '/v1/exports', {
      name: 'New events',
      connectionId: sourceConnectionId,
      sql: { query: 'SELECT id, kind FROM events', keyColumn: 'id', incremental: true },
    });
    const flowId = await flow({ exportId: eventsExportId, pageSize: 500 });
    const first = await waitForRun(as, await runNow(as, flowId));
    expect(first).toMatchObject({ status: 'succeeded', counts: { read: 1200, written: 1200 } });
    expect((await as('GET', `/v1/exports/${eventsExportId}`)).json().lastValue).toBe(1200);

    await sourceSql.$executeRawUnsafe(
      `INSERT INTO events SELECT n, 'later' FROM generate_series(1201, 1500) AS n`,
    );
    const second = await waitForRun(as, await runNow(as, flowId));
    expect(second).toMatchObject({ status: 'succeeded', counts: { read: 300, written: 300, failed: 0 } });
    expect(exactlyOnce(destination, 1, 1500)).toEqual({ once: 1500, missing: 0, duplicated: 0 });
    expect((await as('GET', `/v1/exports/${eventsExportId}`)).json().lastValue).toBe(1500);
  });

  it('is queued by the schedule when the flow is due, and the flow’s next run moves on', async () => {
    const flowId = await flow({ schedule: '*/5 * * * *' });
    const due = new Date(Date.now() - 60_000);
    await t.db.flow.update({ where: { id: flowId }, data: { nextRunAt: due } });
    let runs: { id: string; trigger: string; triggeredBy: string }[] = [];
    const deadline = Date.now() + 25_000;
    while (runs.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      runs = (await as('GET', `/v1/flows/${flowId}/runs`)).json().items;
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', triggeredBy: 'schedule' });
    const next = (await t.db.flow.findUniqueOrThrow({ where: { id: flowId } })).nextRunAt;
    expect(next?.getTime()).toBeGreaterThan(Date.now());
    expect(next?.getUTCMinutes() ?? -1).toSatisfy((minutes: number) => minutes % 5 === 0);
    const run = await waitForRun(as, runs[0]?.id ?? '');
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500 } });
    expect(run.logs[0]?.message).toMatch(/^Started by the schedule: /);
  }, 60_000);
});
