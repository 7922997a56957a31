import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueScheduledRuns } from '../src/modules/flow-runner/scheduler.ts';
import { exactlyOnce } from './support/flow-destination.ts';
import { type FlowFixture, gate, startFlowFixture } from './support/flow-fixture.ts';
import { create, getRun, runErrors, runNow, waitForRun } from './support/flows.ts';

/**
 * The flow runner in the API process, Mode: Cloud, against a real PostgreSQL source and a real
 * HTTP destination (support/flow-fixture.ts). On-premise through the agent is in
 * flow-runner-private-network.test.ts; several instances, restarts and retries in
 * flow-runner-instances.test.ts.
 */

let f: FlowFixture;

beforeAll(async () => {
  f = await startFlowFixture();
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => f.destination.reset());

describe('a flow run', () => {
  it('goes queued → running → succeeded, with the counts, its log and the records at the destination', async () => {
    const double = await f.script(
      'TRANSFORM',
      'function transform(r) { return { ...r, doubled: r.amount * 2 }; }',
      'Double',
    );
    const flowId = await f.flow({ scriptIds: [double] });
    const held = gate();
    f.destination.before = () => held.opened;
    const queued = await f.as('POST', `/v1/flows/${flowId}/runs`);
    expect(queued.statusCode, queued.body).toBe(202);
    expect(queued.json()).toMatchObject({ status: 'queued', trigger: 'manual', triggeredBy: f.owner.email });
    const runId = queued.json().id as string;

    const running = await waitForRun(f.as, runId, { until: (run) => run.status !== 'queued' });
    expect(running).toMatchObject({ status: 'running', startedAt: expect.any(String), finishedAt: null });
    held.open();

    const run = await waitForRun(f.as, runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: 2500, written: 2500, failed: 0 },
      pagesDone: 3,
      error: null,
      finishedAt: expect.any(String),
    });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(exactlyOnce(f.destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    expect(f.destination.stored()).toBe(2500);
    expect(f.destination.lastRecord).toEqual({ id: 2500, item: 'item 2500', amount: 0, doubled: 0 });
    const messages = run.logs.map((line) => line.message);
    expect(messages[0]).toBe(
      `Started by ${f.owner.email}: export "All orders" → script "Double" → import "Orders to the API", pages of 1000`,
    );
    expect(messages.at(-1)).toMatch(/^Succeeded: 2,500 read, 2,500 written, 0 failed, 3 pages in \d+\.\d s$/);
    expect(await runErrors(f.as, runId)).toEqual([]);
    const metrics = await f.t.app.metrics.registry.getSingleMetricAsString('outpost_flow_runs_total');
    expect(metrics).toContain('outpost_flow_runs_total{status="succeeded"} 1');
  });

  it('sets aside a record a script throws on, with the error and the record as it entered that script, and goes on', async () => {
    const tag = await f.script(
      'TRANSFORM',
      `function transform(r) {
        if (r.id === 1) console.log('first record', r.id);
        if (r.id === 7) return null;
        return { ...r, tagged: true };
      }`,
      'Tag',
    );
    const onlyFirst = await f.script('FILTER', 'function filter(r) { return r.id <= 2000; }');
    const picky = await f.script(
      'TRANSFORM',
      `function transform(r) {
        if (r.id % 500 === 0) throw new Error('no multiples of 500: ' + r.id);
        return r;
      }`,
      'Picky',
    );
    const runId = await runNow(f.as, await f.flow({ scriptIds: [tag, onlyFirst, picky] }));
    const run = await waitForRun(f.as, runId);
    // 2,000 pass the filter; id 7 is dropped by the first script; 500, 1000, 1500 and 2000 fail.
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 1995, failed: 4 } });
    const errors = await runErrors(f.as, runId);
    expect(errors.map((error) => error.index + 1 + (error.page - 1) * 1000)).toEqual([500, 1000, 1500, 2000]);
    expect(errors[0]).toMatchObject({
      page: 1,
      index: 499,
      stage: 'script',
      step: 'Picky',
      message: expect.stringContaining('no multiples of 500: 500'),
      record: { id: 500, item: 'item 500', amount: 0, tagged: true },
    });
    expect(exactlyOnce(f.destination, 1, 2000)).toEqual({ once: 1995, missing: 5, duplicated: 0 });
    expect(f.destination.received[7]).toBe(0);
    expect(exactlyOnce(f.destination, 2001, 2500).missing).toBe(500);
    expect(run.logs.map((line) => line.message)).toContain('[Tag] first record 1');
  });

  it('keeps the first 200 lines a script prints, and says the rest is not kept', async () => {
    const chatty = await f.script(
      'TRANSFORM',
      `function transform(r) { console.log('saw', r.id); if (r.id % 1000 === 0) console.warn('round', r.id); return r; }`,
      'Chatty',
    );
    const run = await waitForRun(f.as, await runNow(f.as, await f.flow({ scriptIds: [chatty] })));
    expect(run.status).toBe('succeeded');
    const printed = run.logs.filter((line) => line.message.startsWith('[Chatty] '));
    expect(printed).toHaveLength(200);
    expect(printed[0]).toMatchObject({ level: 'info', message: '[Chatty] saw 1' });
    expect(printed[199]?.message).toBe('[Chatty] saw 200');
    expect(run.logs.map((line) => line.message)).toContain('Script output past 200 lines is not kept');
    expect(run.logs.length).toBeLessThan(210);
  });

  it('stops a script in an endless loop at its CPU limit: those records fail, the run goes on', async () => {
    const loop = await f.script(
      'TRANSFORM',
      'function transform(r) { if (r.id === 3 || r.id === 1003) { while (true) {} } return r; }',
      'Endless',
    );
    const runId = await runNow(f.as, await f.flow({ scriptIds: [loop] }));
    const run = await waitForRun(f.as, runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2498, failed: 2 } });
    const errors = await runErrors(f.as, runId);
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
    expect(exactlyOnce(f.destination, 1, 2500)).toEqual({ once: 2498, missing: 2, duplicated: 0 });
  });

  it('fails with the database message when the import writes into a missing table', async () => {
    const missing = await create(f.as, '/v1/imports', {
      name: 'Into a missing table',
      connectionId: f.sourceConnectionId,
      sql: { table: 'missing', columns: [{ column: 'id', field: 'id' }] },
    });
    const runId = await runNow(f.as, await f.flow({ importIds: [missing] }));
    const run = await waitForRun(f.as, runId);
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
    const flowId = await f.flow({ pageSize: 500 });
    const held = gate();
    f.destination.before = () => held.opened;
    const runId = await runNow(f.as, flowId);
    await waitForRun(f.as, runId, { until: () => f.destination.deliveries.size > 0 });
    const cancel = await f.as('POST', `/v1/runs/${runId}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    const run = await waitForRun(f.as, runId, { timeoutMs: 10_000 });
    held.open();
    expect(run).toMatchObject({ status: 'cancelled', pagesDone: 0, finishedAt: expect.any(String) });
    expect(run.logs.at(-1)?.message).toMatch(/^Cancelled at page 1/);
    // Cancelled means stopped: nothing goes on in the background.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await getRun(f.as, runId)).pagesDone).toBe(0);
  });

  it('left RUNNING by an instance that died, is resumed from pagesDone by another and finishes with no duplicate', async () => {
    const flowId = await f.flow({ pageSize: 500 });
    const held = gate();
    // Page 3 hangs, as if its instance froze there.
    f.destination.before = (key) => (key.split(':')[3] === '3' ? held.opened : undefined);
    const runId = await runNow(f.as, flowId);
    await waitForRun(f.as, runId, {
      until: () => [...f.destination.deliveries.keys()].some((key) => key.split(':')[3] === '3'),
    });
    expect((await getRun(f.as, runId)).pagesDone).toBe(2);
    // The instance holding it dies: its claim and heartbeat are another's, a minute old.
    await f.t.db.flowRun.update({
      where: { id: runId },
      data: { claimedBy: 'api-that-died', heartbeatAt: new Date(Date.now() - 60_000) },
    });
    held.open();
    const run = await waitForRun(f.as, runId);
    // Five full pages, then an empty one that says there is no more.
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { read: 2500, written: 2500, failed: 0 },
      pagesDone: 6,
    });
    expect(exactlyOnce(f.destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    const deliveries = (page: string) =>
      [...f.destination.deliveries.entries()]
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
    const eventsExportId = await create(f.as, '/v1/exports', {
      name: 'New events',
      connectionId: f.sourceConnectionId,
      sql: { query: 'SELECT id, kind FROM events', keyColumn: 'id', incremental: true },
    });
    const flowId = await f.flow({ exportId: eventsExportId, pageSize: 500 });
    const first = await waitForRun(f.as, await runNow(f.as, flowId));
    expect(first).toMatchObject({ status: 'succeeded', counts: { read: 1200, written: 1200 } });
    expect((await f.as('GET', `/v1/exports/${eventsExportId}`)).json().lastValue).toBe(1200);

    await f.sourceSql.$executeRawUnsafe(
      `INSERT INTO events SELECT n, 'later' FROM generate_series(1201, 1500) AS n`,
    );
    const second = await waitForRun(f.as, await runNow(f.as, flowId));
    expect(second).toMatchObject({ status: 'succeeded', counts: { read: 300, written: 300, failed: 0 } });
    expect(exactlyOnce(f.destination, 1, 1500)).toEqual({ once: 1500, missing: 0, duplicated: 0 });
    expect((await f.as('GET', `/v1/exports/${eventsExportId}`)).json().lastValue).toBe(1500);
  });

  it('is queued by the schedule when the flow is due, and the flow’s next run moves on', async () => {
    const flowId = await f.flow({ schedule: '*/5 * * * *' });
    const due = new Date(Date.now() - 60_000);
    await f.t.db.flow.update({ where: { id: flowId }, data: { nextRunAt: due } });
    let runs: { id: string; trigger: string; triggeredBy: string }[] = [];
    const deadline = Date.now() + 25_000;
    while (runs.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      runs = (await f.as('GET', `/v1/flows/${flowId}/runs`)).json().items;
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', triggeredBy: 'schedule' });
    const next = (await f.t.db.flow.findUniqueOrThrow({ where: { id: flowId } })).nextRunAt;
    expect(next?.getTime()).toBeGreaterThan(Date.now());
    expect(next?.getUTCMinutes() ?? -1).toSatisfy((minutes: number) => minutes % 5 === 0);
    const run = await waitForRun(f.as, runs[0]?.id ?? '');
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500 } });
    expect(run.logs[0]?.message).toMatch(/^Started by the schedule: /);
  }, 60_000);
  it('skips a scheduled run while the flow’s run is still going, and says so in that run’s log', async () => {
    const flowId = await f.flow({ schedule: '0 3 * * *' });
    const held = gate();
    f.destination.before = () => held.opened;
    const runId = await runNow(f.as, flowId);
    await waitForRun(f.as, runId, { until: (run) => run.status === 'running' });
    await f.t.db.flow.update({ where: { id: flowId }, data: { nextRunAt: new Date(Date.now() - 1000) } });
    // The runner's scheduler may get there first: either way no second run is queued.
    expect(await queueScheduledRuns(f.t.db, f.t.app.log)).toBe(0);
    held.open();
    const run = await waitForRun(f.as, runId);
    expect(run.status).toBe('succeeded');
    expect(run.logs.map((line) => line.message)).toContain(
      'A scheduled run was skipped: this run was still running',
    );
    expect((await f.as('GET', `/v1/flows/${flowId}/runs`)).json().items).toHaveLength(1);
    const next = (await f.t.db.flow.findUniqueOrThrow({ where: { id: flowId } })).nextRunAt;
    expect(next?.toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(next?.getTime()).toBeGreaterThan(Date.now());
  });
});
