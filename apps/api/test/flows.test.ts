import type { Flow } from '@outpost/protocol/rest/flows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsInScope } from '../src/modules/flows/references.ts';
import { nextRunAt } from '../src/modules/flows/schedule.ts';
import { addMember, call, issuePaths, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
/** Production's export, scripts and imports. */
let ids: { export: string; scripts: string[]; imports: string[] };

beforeAll(async () => {
  t = await startTestApp();
  // Runs stay as the routes leave them: these tests are about flows, not the runner.
  await t.app.flowRunner.stop();
  owner = await signUp(t.app);
  ids = await createSteps(owner);
});
afterAll(() => t.close());

async function as(who: SignedUp, method: string, url: string, body?: unknown, environment?: string) {
  return call(t.app, method, url, {
    as: { cookie: who.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
}

async function created(response: Awaited<ReturnType<typeof as>>): Promise<string> {
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

/** An export, two scripts and two imports in the environment. */
async function createSteps(who: SignedUp, environment = 'production') {
  const post = (path: string, body: unknown) => as(who, 'POST', path, body, environment).then(created);
  const connectionId = await post('/v1/connections', {
    name: 'API',
    type: 'HTTP',
    http: { baseUri: 'https://api.example.com' },
  });
  return {
    export: await post('/v1/exports', { name: 'orders', connectionId, http: { path: '/orders' } }),
    scripts: [
      await post('/v1/scripts', {
        name: 'paid',
        kind: 'FILTER',
        source: 'function filter(r) { return r.paid; }',
      }),
      await post('/v1/scripts', {
        name: 'shape',
        kind: 'TRANSFORM',
        source: 'function transform(r) { return r; }',
      }),
    ],
    imports: [
      await post('/v1/imports', { name: 'shop', connectionId, http: { path: '/in' } }),
      await post('/v1/imports', { name: 'archive', connectionId, http: { path: '/archive' } }),
    ],
  };
}

async function createFlow(body: Record<string, unknown>, who = owner, environment?: string): Promise<Flow> {
  const response = await as(
    who,
    'POST',
    '/v1/flows',
    { exportId: ids.export, importIds: ids.imports, ...body },
    environment,
  );
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('flows: create, read, change, delete', () => {
  it('creates a flow with its steps in order and the defaults, and lists flows by name ignoring case', async () => {
    const flow = await createFlow({ name: 'orders to shop', scriptIds: [ids.scripts[1], ids.scripts[0]] });
    expect(flow).toMatchObject({
      name: 'orders to shop',
      description: '',
      enabled: true,
      schedule: null,
      timezone: 'UTC',
      pageSize: 500,
      nextRunAt: null,
      export: { id: ids.export, name: 'orders' },
      scripts: [
        { id: ids.scripts[1], name: 'shape', kind: 'TRANSFORM' },
        { id: ids.scripts[0], name: 'paid', kind: 'FILTER' },
      ],
      imports: [
        { id: ids.imports[0], name: 'shop' },
        { id: ids.imports[1], name: 'archive' },
      ],
      lastRun: null,
    });
    await createFlow({ name: 'Archive nightly' });
    await createFlow({ name: 'backfill' });
    const names = (await as(owner, 'GET', '/v1/flows')).json().items.map((item: Flow) => item.name);
    expect(names).toEqual(['Archive nightly', 'backfill', 'orders to shop']);
    expect((await as(owner, 'GET', `/v1/flows/${flow.id}`)).json()).toEqual(flow);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: flow.id } });
    expect(event).toMatchObject({ action: 'flow.created', actorLabel: owner.email });
  });

  it('replaces the steps given, keeps the others, and deletes a flow with its runs', async () => {
    const flow = await createFlow({ name: 'to change', scriptIds: ids.scripts });
    const changed = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, {
      scriptIds: [],
      importIds: [ids.imports[1], ids.imports[0]],
      pageSize: 50,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      scripts: [],
      imports: [{ id: ids.imports[1] }, { id: ids.imports[0] }],
      pageSize: 50,
      export: { id: ids.export },
    });
    expect(await t.db.flowImport.count({ where: { flowId: flow.id } })).toBe(2);

    const run = await t.db.flowRun.create({
      data: { scopeId: (await scopeOf(flow.id)).scopeId, flowId: flow.id, status: 'SUCCEEDED' },
    });
    expect((await as(owner, 'DELETE', `/v1/flows/${flow.id}`)).statusCode).toBe(204);
    expect((await as(owner, 'GET', `/v1/flows/${flow.id}`)).statusCode).toBe(404);
    expect(await t.db.flowRun.count({ where: { id: run.id } })).toBe(0);
    const actions = await t.db.auditEvent.findMany({ where: { targetId: flow.id }, orderBy: { id: 'asc' } });
    expect(actions.map((event) => event.action)).toEqual(['flow.created', 'flow.updated', 'flow.deleted']);
  });

  it('a flow with a run queued or running cannot be deleted: cancel the run first', async () => {
    const flow = await createFlow({ name: 'busy' });
    const run = await as(owner, 'POST', `/v1/flows/${flow.id}/runs`);
    expect(run.statusCode).toBe(202);
    for (const status of ['QUEUED', 'RUNNING'] as const) {
      await t.db.flowRun.update({ where: { id: run.json().id }, data: { status } });
      const refused = await as(owner, 'DELETE', `/v1/flows/${flow.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('run_in_progress');
      expect(refused.json().error.message).toContain('cancel the run first');
    }
    await t.db.flowRun.update({ where: { id: run.json().id }, data: { status: 'CANCELLED' } });
    expect((await as(owner, 'DELETE', `/v1/flows/${flow.id}`)).statusCode).toBe(204);
  });

  it('refuses bad input, naming the field', async () => {
    const noImports = await as(owner, 'POST', '/v1/flows', {
      name: 'x',
      exportId: ids.export,
      importIds: [],
    });
    expect(noImports.statusCode).toBe(400);
    expect(issuePaths(noImports)).toEqual(['body.importIds']);
    const badPage = await as(owner, 'POST', '/v1/flows', {
      name: 'x',
      exportId: ids.export,
      importIds: ids.imports,
      pageSize: 0,
    });
    expect(issuePaths(badPage)).toEqual(['body.pageSize']);
    const notUuid = await as(owner, 'POST', '/v1/flows', {
      name: 'x',
      exportId: 'orders',
      importIds: ids.imports,
    });
    expect(issuePaths(notUuid)).toEqual(['body.exportId']);
    await createFlow({ name: 'twice' });
    const twice = await as(owner, 'POST', '/v1/flows', {
      name: 'twice',
      exportId: ids.export,
      importIds: ids.imports,
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('A flow named "twice" already exists');
  });
});

describe('schedules', () => {
  it('computes the next run in the time zone, and none while disabled or without a schedule', async () => {
    const flow = await createFlow({
      name: 'weekday mornings',
      schedule: '0 6 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    expect(flow.schedule).toBe('0 6 * * 1-5');
    const next = new Date(flow.nextRunAt ?? '');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(next);
    expect(berlin).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:00$/);

    const disabled = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, { enabled: false });
    expect(disabled.json()).toMatchObject({ enabled: false, nextRunAt: null });
    const enabled = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, { enabled: true, timezone: 'UTC' });
    expect(new Date(enabled.json().nextRunAt).getUTCHours()).toBe(6);
    const unscheduled = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, { schedule: null });
    expect(unscheduled.json()).toMatchObject({ schedule: null, nextRunAt: null });
    const disabledAtCreate = await createFlow({ name: 'paused', schedule: '*/5 * * * *', enabled: false });
    expect(disabledAtCreate.nextRunAt).toBeNull();
  });

  it('nextRunAt follows daylight saving time', () => {
    // Berlin moves to summer time on 29 March 2026: 06:00 is 05:00 UTC before, 04:00 UTC after.
    const from = new Date('2026-03-27T12:00:00Z');
    expect(nextRunAt('0 6 * * *', 'Europe/Berlin', from).toISOString()).toBe('2026-03-28T05:00:00.000Z');
    expect(nextRunAt('0 6 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe(
      '2026-03-29T04:00:00.000Z',
    );
    expect(nextRunAt('*/15 * * * *', 'UTC', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-01-01T00:15:00.000Z',
    );
  });

  it('refuses a bad cron expression or time zone: 422 invalid_schedule naming the field', async () => {
    for (const [body, path] of [
      [{ schedule: '61 * * * *' }, 'schedule'],
      [{ schedule: '0 * * * * *' }, 'schedule'],
      [{ schedule: 'every day' }, 'schedule'],
      [{ schedule: '0 0 31 2 *' }, 'schedule'],
      [{ schedule: '0 6 * * *', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ timezone: '+01:00' }, 'timezone'],
    ] as const) {
      const response = await as(owner, 'POST', '/v1/flows', {
        name: 'bad schedule',
        exportId: ids.export,
        importIds: ids.imports,
        ...body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json().error.code).toBe('invalid_schedule');
      expect(issuePaths(response)).toEqual([path]);
    }
    const flow = await createFlow({ name: 'keeps its schedule', schedule: '0 * * * *' });
    const refused = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, { timezone: 'Nowhere/City' });
    expect(issuePaths(refused)).toEqual(['timezone']);
    expect((await as(owner, 'GET', `/v1/flows/${flow.id}`)).json().timezone).toBe('UTC');
  });
});

describe('references', () => {
  it("refuses another environment's export, scripts and imports, and an import picked twice, naming each", async () => {
    const sandbox = await createSteps(owner, 'sandbox');
    const missing = '0190a000-0000-7000-8000-000000000000';
    const response = await as(owner, 'POST', '/v1/flows', {
      name: 'crossing',
      exportId: sandbox.export,
      scriptIds: [ids.scripts[0], sandbox.scripts[1]],
      importIds: [ids.imports[0], missing, ids.imports[0]],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('invalid_reference');
    expect(issuePaths(response)).toEqual(['exportId', 'scriptIds.1', 'importIds.1', 'importIds.2']);
    expect(await t.db.flow.count({ where: { name: 'crossing' } })).toBe(0);

    const flow = await createFlow({ name: 'stays home' });
    const moved = await as(owner, 'PATCH', `/v1/flows/${flow.id}`, { importIds: [sandbox.imports[0]] });
    expect(moved.statusCode).toBe(422);
    expect(issuePaths(moved)).toEqual(['importIds.0']);
    expect((await as(owner, 'GET', `/v1/flows/${flow.id}`)).json().imports).toEqual(flow.imports);

    const sandboxFlow = await as(
      owner,
      'POST',
      '/v1/flows',
      { name: 'sandbox flow', exportId: sandbox.export, importIds: sandbox.imports },
      'sandbox',
    );
    const sandboxFlowId = await created(sandboxFlow);
    for (const [method, url, body] of [
      ['GET', `/v1/flows/${sandboxFlowId}`],
      ['PATCH', `/v1/flows/${sandboxFlowId}`, { name: 'x' }],
      ['DELETE', `/v1/flows/${sandboxFlowId}`],
      ['POST', `/v1/flows/${sandboxFlowId}/runs`],
      ['GET', `/v1/flows/${sandboxFlowId}/runs`],
    ] as const)
      expect((await as(owner, method, url, body)).statusCode, `${method} ${url}`).toBe(404);
  });

  it('an export that flows use cannot be deleted: 409 naming them', async () => {
    await createFlow({ name: 'uses orders' });
    const refused = await as(owner, 'DELETE', `/v1/exports/${ids.export}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'in_use',
      message: expect.stringContaining('"uses orders"'),
    });
  });

  it('a delete racing a save waits for it, then answers in_use: the checked references stay locked', async () => {
    const exportId = await created(
      await as(owner, 'POST', '/v1/exports', {
        name: 'raced export',
        connectionId: (await t.db.export.findUniqueOrThrow({ where: { id: ids.export } })).connectionId,
        http: { path: '/raced' },
      }),
    );
    const { scopeId } = await t.db.export.findUniqueOrThrow({ where: { id: exportId } });
    let deleted: Promise<Awaited<ReturnType<typeof as>>> | undefined;
    let answeredEarly = false;
    await t.db.$transaction(async (tx) => {
      // What a flow's save does first: find the export in the scope, and lock it.
      expect(await idsInScope(tx, 'Export', scopeId, [exportId])).toEqual(new Set([exportId]));
      deleted = as(owner, 'DELETE', `/v1/exports/${exportId}`);
      deleted.then(() => {
        answeredEarly = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.flow.create({
        data: {
          scopeId,
          name: 'raced flow',
          exportId,
          imports: { create: [{ importId: ids.imports[0] ?? '', position: 0 }] },
        },
      });
    });
    expect(answeredEarly, 'the delete waited for the save').toBe(false);
    const answer = await deleted;
    expect(answer?.statusCode, answer?.body).toBe(409);
    expect(answer?.json().error.message).toContain('"raced flow"');
  });

  it('LEGACY: a flow created in Sandbox from Sandbox steps is shown and run from Production', async () => {
    const legacy = await signUp(t.app, { license: 'LEGACY' });
    const steps = await createSteps(legacy, 'sandbox');
    const flowId = await created(
      await as(
        legacy,
        'POST',
        '/v1/flows',
        { name: 'shared', exportId: steps.export, importIds: steps.imports },
        'sandbox',
      ),
    );
    const list = await as(legacy, 'GET', '/v1/flows', undefined, 'production');
    expect(list.json().items.map((item: Flow) => item.id)).toEqual([flowId]);
    const run = await as(legacy, 'POST', `/v1/flows/${flowId}/runs`, undefined, 'production');
    expect(run.statusCode).toBe(202);
  });
});

describe('roles', () => {
  it('MONITOR reads flows but cannot create, change, run or delete them', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const existing = await createFlow({ name: 'watched' });
    const asMonitor = (method: string, url: string, body?: unknown) =>
      call(t.app, method, url, { as: { cookie: monitor.cookie }, ...(body ? { body } : {}) });
    expect((await asMonitor('GET', '/v1/flows')).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/flows/${existing.id}`)).statusCode).toBe(200);
    const body = { name: 'by monitor', exportId: ids.export, importIds: ids.imports };
    expect((await asMonitor('POST', '/v1/flows', body)).statusCode).toBe(403);
    expect((await asMonitor('PATCH', `/v1/flows/${existing.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await asMonitor('POST', `/v1/flows/${existing.id}/runs`)).statusCode).toBe(403);
    expect((await asMonitor('DELETE', `/v1/flows/${existing.id}`)).statusCode).toBe(403);
  });
});

function scopeOf(flowId: string) {
  return t.db.flow.findUniqueOrThrow({ where: { id: flowId }, select: { scopeId: true } });
}
