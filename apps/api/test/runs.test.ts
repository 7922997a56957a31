import type { FlowRunSummary } from '@outpost/protocol/rest/runs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addMember,
  call,
  createApiToken,
  issuePaths,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
} from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
let steps: { exportId: string; importIds: string[] };
let wake: ReturnType<typeof vi.spyOn>;
let cancel: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  t = await startTestApp();
  // The runner is another module's work: stopped, it leaves runs as the routes wrote them, and
  // the spies see what the routes ask of it.
  await t.app.flowRunner.stop();
  wake = vi.spyOn(t.app.flowRunner, 'wake');
  cancel = vi.spyOn(t.app.flowRunner, 'cancel');
  owner = await signUp(t.app);
  steps = await createSteps(owner);
});
afterAll(() => t.close());

async function as(who: SignedUp, method: string, url: string, body?: unknown, environment?: string) {
  return call(t.app, method, url, {
    as: { cookie: who.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
}

async function createSteps(who: SignedUp, environment = 'production') {
  const post = async (path: string, body: unknown) => {
    const response = await as(who, 'POST', path, body, environment);
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const connectionId = await post('/v1/connections', {
    name: 'API',
    type: 'HTTP',
    http: { baseUri: 'https://api.example.com' },
  });
  return {
    exportId: await post('/v1/exports', { name: 'orders', connectionId, http: { path: '/orders' } }),
    importIds: [await post('/v1/imports', { name: 'shop', connectionId, http: { path: '/in' } })],
  };
}

async function createFlow(
  name: string,
  extra: Record<string, unknown> = {},
  who = owner,
  environment?: string,
) {
  const response = await as(who, 'POST', '/v1/flows', { name, ...steps, ...extra }, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; name: string };
}

async function runNow(flowId: string): Promise<FlowRunSummary> {
  const response = await as(owner, 'POST', `/v1/flows/${flowId}/runs`);
  expect(response.statusCode, response.body).toBe(202);
  return response.json();
}

/** What the runner would do when a run ends. */
const finish = (runId: string, status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED') =>
  t.db.flowRun.update({
    where: { id: runId },
    data: {
      status,
      startedAt: new Date('2026-11-28T10:00:00.000Z'),
      finishedAt: new Date('2026-11-28T10:00:02.500Z'),
      recordsRead: 10,
      recordsWritten: 9,
      recordsFailed: 1,
      pagesDone: 1,
    },
  });

describe('Run now', () => {
  it('queues a manual run by the caller and wakes the runner; a second one waits for the first', async () => {
    const flow = await createFlow('orders to shop');
    wake.mockClear();
    const run = await runNow(flow.id);
    expect(run).toMatchObject({
      flow: { id: flow.id, name: 'orders to shop' },
      status: 'queued',
      trigger: 'manual',
      triggeredBy: owner.email,
      counts: { read: 0, written: 0, failed: 0 },
      pagesDone: 0,
      error: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    });
    expect(wake).toHaveBeenCalledTimes(1);
    expect(await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: 'QUEUED',
      trigger: 'MANUAL',
      flowId: flow.id,
    });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: run.id } });
    expect(event).toMatchObject({ action: 'flow_run.started', actorLabel: owner.email });

    const again = await as(owner, 'POST', `/v1/flows/${flow.id}/runs`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('run_in_progress');
    await t.db.flowRun.update({ where: { id: run.id }, data: { status: 'RUNNING' } });
    expect((await as(owner, 'POST', `/v1/flows/${flow.id}/runs`)).statusCode).toBe(409);
    expect(await t.db.flowRun.count({ where: { flowId: flow.id } })).toBe(1);
    await finish(run.id);
    await runNow(flow.id);
    expect(await t.db.flowRun.count({ where: { flowId: flow.id } })).toBe(2);
  });

  it('two Run now at once queue one run', async () => {
    const flow = await createFlow('raced');
    const answers = await Promise.all([0, 1, 2].map(() => as(owner, 'POST', `/v1/flows/${flow.id}/runs`)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([202, 409, 409]);
    expect(await t.db.flowRun.count({ where: { flowId: flow.id } })).toBe(1);
  });

  it('runs a disabled flow too, and names an API token as who started it', async () => {
    const flow = await createFlow('disabled', { enabled: false, schedule: '0 * * * *' });
    const token = await createApiToken(
      t.app,
      { cookie: owner.cookie },
      { name: 'nightly job', role: 'MANAGE' },
    );
    const response = await call(t.app, 'POST', `/v1/flows/${flow.id}/runs`, {
      as: { apiToken: token.token },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ status: 'queued', triggeredBy: 'nightly job' });
  });

  it("shows the latest run as the flow's last run", async () => {
    const flow = await createFlow('with history');
    const first = await runNow(flow.id);
    await finish(first.id, 'FAILED');
    const second = await runNow(flow.id);
    const view = (await as(owner, 'GET', `/v1/flows/${flow.id}`)).json();
    expect(view.lastRun).toEqual(second);
    const listed = (await as(owner, 'GET', '/v1/flows'))
      .json()
      .items.find((item: { id: string }) => item.id === flow.id);
    expect(listed.lastRun.id).toBe(second.id);
  });
});

describe('run history', () => {
  it("lists a flow's runs and all runs newest first, a page at a time, by status", async () => {
    const flow = await createFlow('paged');
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await runNow(flow.id);
      ids.unshift(run.id);
      if (i < 2) await finish(run.id);
    }
    const first = await as(owner, 'GET', `/v1/flows/${flow.id}/runs?limit=2`);
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((run: FlowRunSummary) => run.id)).toEqual(ids.slice(0, 2));
    expect(first.json().items[0].status).toBe('queued');
    expect(first.json().items[1]).toMatchObject({
      status: 'succeeded',
      counts: { read: 10, written: 9, failed: 1 },
      durationMs: 2500,
      startedAt: '2026-11-28T10:00:00.000Z',
    });
    const second = await as(
      owner,
      'GET',
      `/v1/flows/${flow.id}/runs?limit=2&cursor=${first.json().nextCursor}`,
    );
    expect(second.json()).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    const succeeded = await as(owner, 'GET', `/v1/flows/${flow.id}/runs?status=succeeded`);
    expect(succeeded.json().items.map((run: FlowRunSummary) => run.id)).toEqual(ids.slice(1));

    const other = await createFlow('other');
    const newest = await runNow(other.id);
    const all = (await as(owner, 'GET', '/v1/runs?limit=200'))
      .json()
      .items.map((run: FlowRunSummary) => run.id);
    expect(all.slice(0, 4)).toEqual([newest.id, ...ids]);
    expect(all).toHaveLength(new Set(all).size);

    const bad = await as(owner, 'GET', '/v1/runs?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(issuePaths(bad)).toEqual(['querystring.cursor']);
    const badStatus = await as(owner, 'GET', '/v1/runs?status=QUEUED');
    expect(issuePaths(badStatus)).toEqual(['querystring.status']);
  });

  it('shows a run with the last 500 lines of its log, oldest first, and its failed records a page at a time', async () => {
    const flow = await createFlow('logged');
    const run = await runNow(flow.id);
    await finish(run.id, 'FAILED');
    await t.db.flowRun.update({
      where: { id: run.id },
      data: { error: 'The import "shop" failed: HTTP 500' },
    });
    for (let batch = 0; batch < 3; batch += 1)
      await t.db.flowRunLog.createMany({
        data: Array.from({ length: 170 }, (_, i) => ({
          runId: run.id,
          level: i % 2 ? 'info' : 'warn',
          message: `line ${batch * 170 + i}`,
        })),
      });
    const shown = await as(owner, 'GET', `/v1/runs/${run.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      id: run.id,
      status: 'failed',
      error: 'The import "shop" failed: HTTP 500',
      cancelRequested: false,
      durationMs: 2500,
    });
    const logs = shown.json().logs as { message: string; level: string; at: string }[];
    expect(logs).toHaveLength(500);
    expect(logs[0]?.message).toBe('line 10');
    expect(logs.at(-1)).toMatchObject({ message: 'line 509', level: 'info' });

    for (let index = 0; index < 3; index += 1)
      await t.db.flowRunRecordError.create({
        data: {
          runId: run.id,
          page: 0,
          index,
          stage: 'script',
          step: 'shape',
          message: `TypeError ${index}`,
          record: { id: index, nested: { ok: false } },
        },
      });
    const page = await as(owner, 'GET', `/v1/runs/${run.id}/errors?limit=2`);
    expect(page.statusCode).toBe(200);
    expect(page.json().items).toEqual([
      expect.objectContaining({
        index: 0,
        stage: 'script',
        step: 'shape',
        message: 'TypeError 0',
        record: { id: 0, nested: { ok: false } },
      }),
      expect.objectContaining({ index: 1 }),
    ]);
    const rest = await as(owner, 'GET', `/v1/runs/${run.id}/errors?limit=2&cursor=${page.json().nextCursor}`);
    expect(rest.json().items.map((error: { index: number }) => error.index)).toEqual([2]);
    expect(rest.json().nextCursor).toBeNull();
  });
});

describe('cancel', () => {
  it('cancels a queued run at once; a finished run answers 409', async () => {
    const flow = await createFlow('cancelled while queued');
    const run = await runNow(flow.id);
    cancel.mockClear();
    const response = await as(owner, 'POST', `/v1/runs/${run.id}/cancel`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: run.id,
      status: 'cancelled',
      finishedAt: expect.any(String),
    });
    expect(cancel).not.toHaveBeenCalled();
    const row = await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(row).toMatchObject({ status: 'CANCELLED', cancelRequestedAt: expect.any(Date) });
    expect((await as(owner, 'GET', `/v1/runs/${run.id}`)).json().cancelRequested).toBe(true);
    const again = await as(owner, 'POST', `/v1/runs/${run.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('run_finished');
    expect(await t.db.auditEvent.count({ where: { targetId: run.id, action: 'flow_run.cancelled' } })).toBe(
      1,
    );
    // The flow is free again.
    await runNow(flow.id);
  });

  it('asks the runner to stop a running run; asking again changes nothing', async () => {
    const flow = await createFlow('cancelled while running');
    const run = await runNow(flow.id);
    await t.db.flowRun.update({ where: { id: run.id }, data: { status: 'RUNNING', startedAt: new Date() } });
    cancel.mockClear();
    const response = await as(owner, 'POST', `/v1/runs/${run.id}/cancel`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().status).toBe('running');
    expect(cancel).toHaveBeenCalledWith(run.id);
    const shown = (await as(owner, 'GET', `/v1/runs/${run.id}`)).json();
    expect(shown).toMatchObject({ status: 'running', cancelRequested: true });
    const requestedAt = (await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).cancelRequestedAt;
    expect((await as(owner, 'POST', `/v1/runs/${run.id}/cancel`)).statusCode).toBe(200);
    expect((await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).cancelRequestedAt).toEqual(
      requestedAt,
    );
    expect(await t.db.auditEvent.count({ where: { targetId: run.id, action: 'flow_run.cancelled' } })).toBe(
      1,
    );
  });
});

describe('environments and roles', () => {
  it("another environment's runs are not found and not listed", async () => {
    const sandboxSteps = await createSteps(owner, 'sandbox');
    const response = await as(
      owner,
      'POST',
      '/v1/flows',
      { name: 'sandbox flow', ...sandboxSteps },
      'sandbox',
    );
    const sandboxRun = await as(owner, 'POST', `/v1/flows/${response.json().id}/runs`, undefined, 'sandbox');
    expect(sandboxRun.statusCode).toBe(202);
    const id = sandboxRun.json().id;
    for (const [method, url] of [
      ['GET', `/v1/runs/${id}`],
      ['GET', `/v1/runs/${id}/errors`],
      ['POST', `/v1/runs/${id}/cancel`],
    ] as const)
      expect((await as(owner, method, url)).statusCode, `${method} ${url}`).toBe(404);
    const all = (await as(owner, 'GET', '/v1/runs?limit=200'))
      .json()
      .items.map((run: FlowRunSummary) => run.id);
    expect(all).not.toContain(id);
    const inSandbox = (await as(owner, 'GET', '/v1/runs', undefined, 'sandbox')).json().items;
    expect(inSandbox.map((run: FlowRunSummary) => run.id)).toEqual([id]);
  });

  it('MONITOR sees runs but cannot start or cancel one', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const flow = await createFlow('watched runs');
    const run = await runNow(flow.id);
    const asMonitor = (method: string, url: string) =>
      call(t.app, method, url, { as: { cookie: monitor.cookie } });
    expect((await asMonitor('GET', '/v1/runs')).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/runs/${run.id}`)).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/runs/${run.id}/errors`)).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/flows/${flow.id}/runs`)).statusCode).toBe(200);
    expect((await asMonitor('POST', `/v1/runs/${run.id}/cancel`)).statusCode).toBe(403);
    expect((await asMonitor('POST', `/v1/flows/${flow.id}/runs`)).statusCode).toBe(403);
    expect((await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('QUEUED');
  });
});
