import { randomBytes } from 'node:crypto';
import { MAX_ENVIRONMENTS } from '@outpost/protocol/rest/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_LIMITS } from '../src/modules/environments/limits.ts';
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
import { connectLightAgent } from './light-agent.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const countRows = async (accountId: string) => ({
  environments: await t.db.environment.count({ where: { accountId } }),
  scopes: await t.db.scope.count({ where: { accountId } }),
  auditEvents: await t.db.auditEvent.count({ where: { accountId, action: 'environment.created' } }),
});

describe('GET /v1/environments', () => {
  it('lists Production and Sandbox of the account, to any member', async () => {
    const owner = await signUp(t.app);
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const response = await call(t.app, 'GET', '/v1/environments', { as: { cookie: monitor.cookie } });
    expect(response.statusCode).toBe(200);
    const stored = await t.db.environment.findMany({ where: { accountId: owner.me.account.id } });
    expect(response.json().items).toHaveLength(2);
    expect(response.json().items.map((environment: { slug: string }) => environment.slug)).toEqual([
      'production',
      'sandbox',
    ]);
    expect(new Set(response.json().items.map((environment: { id: string }) => environment.id))).toEqual(
      new Set(stored.map((environment) => environment.id)),
    );
  });
});

describe('POST /v1/environments', () => {
  it('creates an environment with a scope of its own, usable at once, and audits it', async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: ' Staging ', slug: 'staging' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ slug: 'staging', name: 'Staging' });

    const environments = await t.db.environment.findMany({ where: { accountId } });
    const staging = environments.find((environment) => environment.slug === 'staging');
    expect(staging?.id).toBe(response.json().id);
    expect(new Set(environments.map((environment) => environment.scopeId)).size).toBe(3);
    const scope = await t.db.scope.findUniqueOrThrow({ where: { id: staging?.scopeId ?? '' } });
    expect(scope.accountId).toBe(accountId);

    const listed = await call(t.app, 'GET', '/v1/environments', { as: { cookie: owner.cookie } });
    expect(listed.json().items.map((environment: { slug: string }) => environment.slug)).toEqual([
      'production',
      'sandbox',
      'staging',
    ]);
    const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie }, environment: 'staging' });
    expect(me.statusCode).toBe(200);

    const events = await t.db.auditEvent.findMany({ where: { accountId, action: 'environment.created' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: 'user',
      actorId: owner.me.user.id,
      targetType: 'environment',
      targetId: response.json().id,
      metadata: { slug: 'staging', name: 'Staging' },
    });
  });

  it('lets an ADMIN member create one too', async () => {
    const owner = await signUp(t.app);
    const admin = await addMember(t.app, owner, 'ADMIN');
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: admin.cookie },
      body: { name: 'QA', slug: 'qa' },
    });
    expect(response.statusCode).toBe(201);
    expect(await t.db.environment.count({ where: { accountId: owner.me.account.id, slug: 'qa' } })).toBe(1);
  });

  it('refuses a legacy account with 409, says to migrate first, and creates nothing', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const before = await countRows(owner.me.account.id);
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: 'Staging', slug: 'staging' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('conflict');
    expect(response.json().error.message).toMatch(/legacy/i);
    expect(response.json().error.message).toMatch(/Production and Sandbox/);
    expect(response.json().error.message).toMatch(/migrate/i);
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it('answers 409 for a slug the account already has, and creates nothing', async () => {
    const owner = await signUp(t.app);
    const create = (slug: string) =>
      call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Again', slug },
      });
    expect((await create('uat')).statusCode).toBe(201);
    const before = await countRows(owner.me.account.id);
    for (const slug of ['uat', 'sandbox', 'production']) {
      const response = await create(slug);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toContain(`"${slug}"`);
    }
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it('allows the same slug in another account', async () => {
    const first = await signUp(t.app);
    const second = await signUp(t.app);
    for (const owner of [first, second]) {
      const response = await call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Shared name', slug: 'shared' },
      });
      expect(response.statusCode).toBe(201);
    }
  });

  it('names every invalid field', async () => {
    const owner = await signUp(t.app);
    const before = await countRows(owner.me.account.id);
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: '   ', slug: 'Not A Slug' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(issuePaths(response)).toEqual(expect.arrayContaining(['body.name', 'body.slug']));
    for (const slug of ['-dash-first', 'a'.repeat(41), 'under_score', '', 'api', 'sign-in', 'sign-up']) {
      const bad = await call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Fine', slug },
      });
      expect(bad.statusCode, slug).toBe(400);
      expect(issuePaths(bad)).toEqual(['body.slug']);
    }
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it(`stops at ${MAX_ENVIRONMENTS} environments, also when requests race for the last places`, async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const create = (slug: string) =>
      call(t.app, 'POST', '/v1/environments', { as: { cookie: owner.cookie }, body: { name: slug, slug } });
    for (let i = 3; i <= MAX_ENVIRONMENTS - 2; i++) {
      expect((await create(`env-${i}`)).statusCode).toBe(201);
    }
    // Two places left, five requests at once: exactly two get one.
    const racing = await Promise.all([1, 2, 3, 4, 5].map((n) => create(`last-${n}`)));
    const statuses = racing.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409]);
    const refused = racing.find((response) => response.statusCode === 409);
    expect(refused?.json().error.message).toContain(String(MAX_ENVIRONMENTS));
    const after = await countRows(accountId);
    expect(after.environments).toBe(MAX_ENVIRONMENTS);
    expect(after.scopes).toBe(MAX_ENVIRONMENTS);
    expect(after.auditEvents).toBe(MAX_ENVIRONMENTS - 2);
  });
});

async function createEnvironment(owner: SignedUp, slug: string, name = slug) {
  const response = await call(t.app, 'POST', '/v1/environments', {
    as: { cookie: owner.cookie },
    body: { name, slug },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; slug: string; name: string };
}

const builtIns = (accountId: string) =>
  t.db.environment.findMany({ where: { accountId }, orderBy: { slug: 'asc' } });

describe('PATCH /v1/environments/:id', () => {
  it('renames an environment, keeps its slug, and audits it', async () => {
    const owner = await signUp(t.app);
    const staging = await createEnvironment(owner, 'staging', 'Staging');
    const response = await call(t.app, 'PATCH', `/v1/environments/${staging.id}`, {
      as: { cookie: owner.cookie },
      body: { name: ' Pre-production ' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: staging.id, slug: 'staging', name: 'Pre-production' });
    const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie }, environment: 'staging' });
    expect(me.json().environments.map((environment: { name: string }) => environment.name)).toContain(
      'Pre-production',
    );
    const event = await t.db.auditEvent.findFirstOrThrow({
      where: { accountId: owner.me.account.id, action: 'environment.updated' },
    });
    expect(event).toMatchObject({
      targetId: staging.id,
      metadata: { name: { from: 'Staging', to: 'Pre-production' } },
    });
  });

  it('keeps the names of Production and Sandbox, names a bad name, and hides other accounts', async () => {
    const owner = await signUp(t.app);
    const before = await builtIns(owner.me.account.id);
    for (const environment of before) {
      const response = await call(t.app, 'PATCH', `/v1/environments/${environment.id}`, {
        as: { cookie: owner.cookie },
        body: { name: 'Renamed' },
      });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toBe(
        `${environment.name} is part of every account and keeps its name`,
      );
    }
    const staging = await createEnvironment(owner, 'staging');
    const bad = await call(t.app, 'PATCH', `/v1/environments/${staging.id}`, {
      as: { cookie: owner.cookie },
      body: { name: '  ' },
    });
    expect(bad.statusCode).toBe(400);
    expect(issuePaths(bad)).toEqual(['body.name']);
    const stranger = await signUp(t.app);
    const hidden = await call(t.app, 'PATCH', `/v1/environments/${staging.id}`, {
      as: { cookie: stranger.cookie },
      body: { name: 'Mine now' },
    });
    expect(hidden.statusCode).toBe(404);
    expect(await builtIns(owner.me.account.id)).toEqual(expect.arrayContaining(before));
    expect((await t.db.environment.findUniqueOrThrow({ where: { id: staging.id } })).name).toBe('staging');
  });
});

describe('DELETE /v1/environments/:id', () => {
  it('deletes an empty environment with its scope, and audits it', async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const qa = await createEnvironment(owner, 'qa', 'QA');
    const { scopeId } = await t.db.environment.findUniqueOrThrow({ where: { id: qa.id } });
    const response = await call(t.app, 'DELETE', `/v1/environments/${qa.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(response.statusCode).toBe(204);
    expect(await t.db.environment.findUnique({ where: { id: qa.id } })).toBeNull();
    expect(await t.db.scope.findUnique({ where: { id: scopeId } })).toBeNull();
    const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie }, environment: 'qa' });
    expect(me.statusCode).toBe(404);
    const event = await t.db.auditEvent.findFirstOrThrow({
      where: { accountId, action: 'environment.deleted' },
    });
    expect(event).toMatchObject({ targetId: qa.id, metadata: { slug: 'qa', name: 'QA', cascade: false } });
  });

  it('refuses a non-empty one naming what it holds; with cascade=true deletes it all and disconnects its agents', async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const qa = await createEnvironment(owner, 'qa', 'QA');
    const inQa = (method: string, url: string, body?: unknown) =>
      call(t.app, method, url, { as: { cookie: owner.cookie }, environment: 'qa', body });
    const agent = (await inQa('POST', '/v1/agents', { name: 'QA agent' })).json();
    for (const name of ['One', 'Two']) {
      const created = await inQa('POST', '/v1/connections', {
        name,
        type: 'HTTP',
        mode: 'ON_PREMISE',
        agentId: agent.id,
        http: { baseUri: 'http://localhost:8080' },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await createApiToken(t.app, { cookie: owner.cookie }, { name: 'qa job', environment: 'qa' });
    const { scopeId } = await t.db.environment.findUniqueOrThrow({ where: { id: qa.id } });
    const connectionIds = (await t.db.connection.findMany({ where: { scopeId } })).map((row) => row.id);
    const script = await t.db.script.create({
      data: { scopeId, name: 'Noop', kind: 'TRANSFORM', source: 'function transform(r) { return r; }' },
    });
    const source = await t.db.export.create({
      data: { scopeId, name: 'Source', connectionId: connectionIds[0] as string, settings: {} },
    });
    const target = await t.db.import.create({
      data: { scopeId, name: 'Target', connectionId: connectionIds[1] as string, settings: {} },
    });
    const flow = await t.db.flow.create({
      data: {
        scopeId,
        name: 'QA flow',
        exportId: source.id,
        scripts: { create: [{ position: 0, scriptId: script.id }] },
        imports: { create: [{ position: 0, importId: target.id }] },
      },
    });
    await t.db.flowRun.create({ data: { scopeId, flowId: flow.id, status: 'SUCCEEDED' } });
    const baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = (await inQa('GET', `/v1/agents/${agent.id}/token`)).json().token;
    const online = await connectLightAgent(baseUrl, token);
    await online.welcome();

    const refused = await call(t.app, 'DELETE', `/v1/environments/${qa.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'environment_not_empty',
      message:
        'QA still holds 1 agent, 1 API token, 2 connections, 1 export, 1 import, 1 script and 1 flow: delete them first, or delete the environment with cascade=true to delete them with it',
    });
    expect(await t.db.environment.count({ where: { id: qa.id } })).toBe(1);

    // A run in progress holds the cascade back.
    const running = await t.db.flowRun.create({ data: { scopeId, flowId: flow.id, status: 'RUNNING' } });
    const busy = await call(t.app, 'DELETE', `/v1/environments/${qa.id}?cascade=true`, {
      as: { cookie: owner.cookie },
    });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.message).toBe('QA has a flow run queued or running: cancel it first');
    await t.db.flowRun.update({ where: { id: running.id }, data: { status: 'CANCELLED' } });

    const usage = await call(t.app, 'GET', '/v1/environments/usage', { as: { cookie: owner.cookie } });
    expect(
      usage.json().items.find((item: { environment: { slug: string } }) => item.environment.slug === 'qa'),
    ).toMatchObject({
      counts: { agents: 1, apiTokens: 1, connections: 2, exports: 1, imports: 1, scripts: 1, flows: 1 },
      activeRuns: 0,
    });

    const deleted = await call(t.app, 'DELETE', `/v1/environments/${qa.id}?cascade=true`, {
      as: { cookie: owner.cookie },
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(await t.db.scope.findUnique({ where: { id: scopeId } })).toBeNull();
    for (const count of [
      t.db.agent.count({ where: { scopeId } }),
      t.db.connection.count({ where: { scopeId } }),
      t.db.apiToken.count({ where: { scopeId } }),
      t.db.flow.count({ where: { scopeId } }),
      t.db.flowRun.count({ where: { scopeId } }),
      t.db.export.count({ where: { scopeId } }),
      t.db.import.count({ where: { scopeId } }),
      t.db.script.count({ where: { scopeId } }),
    ]) {
      expect(await count).toBe(0);
    }
    await expect(online.closed).resolves.toMatchObject({ reason: expect.stringMatching(/deleted/i) });
    const event = await t.db.auditEvent.findFirstOrThrow({
      where: { accountId, action: 'environment.deleted' },
    });
    expect(event.metadata).toMatchObject({ cascade: true, deleted: { agents: 1, connections: 2, flows: 1 } });
    // Production and Sandbox were never touched.
    expect(await t.db.environment.count({ where: { accountId } })).toBe(2);
  });

  it('never deletes Production or Sandbox, also in a legacy account, and hides other accounts', async () => {
    for (const license of ['MULTI_ENV', 'LEGACY'] as const) {
      const owner = await signUp(t.app, { license });
      for (const environment of await builtIns(owner.me.account.id)) {
        const response = await call(t.app, 'DELETE', `/v1/environments/${environment.id}?cascade=true`, {
          as: { cookie: owner.cookie },
        });
        expect(response.statusCode).toBe(409);
        expect(response.json().error.message).toBe(
          `${environment.name} is part of every account and cannot be deleted`,
        );
      }
      expect(await t.db.environment.count({ where: { accountId: owner.me.account.id } })).toBe(2);
    }
    const owner = await signUp(t.app);
    const qa = await createEnvironment(owner, 'qa');
    const stranger = await signUp(t.app);
    const hidden = await call(t.app, 'DELETE', `/v1/environments/${qa.id}`, {
      as: { cookie: stranger.cookie },
    });
    expect(hidden.statusCode).toBe(404);
    const manager = await addMember(t.app, owner, 'MANAGE');
    const forbidden = await call(t.app, 'DELETE', `/v1/environments/${qa.id}`, {
      as: { cookie: manager.cookie },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(await t.db.environment.count({ where: { id: qa.id } })).toBe(1);
  });
});

describe('limits per environment', () => {
  it('lists every environment with its counts and limits; legacy Production and Sandbox count one scope', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    await call(t.app, 'POST', '/v1/agents', {
      as: { cookie: owner.cookie },
      environment: 'sandbox',
      body: { name: 'A' },
    });
    const response = await call(t.app, 'GET', '/v1/environments/usage', { as: { cookie: owner.cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toHaveLength(2);
    for (const item of response.json().items) {
      expect(item.counts).toEqual({
        agents: 1,
        apiTokens: 0,
        connections: 0,
        exports: 0,
        imports: 0,
        scripts: 0,
        flows: 0,
      });
      expect(item.limits).toEqual(ENVIRONMENT_LIMITS);
    }
  });

  it('refuses the agent, connection or API token past the limit with 409 limit_reached, in that environment only', async () => {
    const owner = await signUp(t.app);
    const { scopeId } = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'sandbox' },
    });
    const environmentId = (
      await t.db.environment.findFirstOrThrow({ where: { accountId: owner.me.account.id, slug: 'sandbox' } })
    ).id;
    const filler = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        scopeId,
        name: `${prefix} ${i}`,
        tokenDigest: randomBytes(32).toString('hex'),
        tokenCiphertext: 'v1.x.y.z',
        tokenLast4: 'xxxx',
      }));
    await t.db.agent.createMany({ data: filler(ENVIRONMENT_LIMITS.agents - 1, 'agent') });
    await t.db.apiToken.createMany({
      data: filler(ENVIRONMENT_LIMITS.apiTokens - 1, 'token').map((row) => ({
        ...row,
        environmentId,
        role: 'MANAGE' as const,
      })),
    });
    await t.db.connection.createMany({
      data: Array.from({ length: ENVIRONMENT_LIMITS.connections - 1 }, (_, i) => ({
        scopeId,
        name: `connection ${i}`,
        type: 'HTTP' as const,
        settings: {},
      })),
    });
    const create = (url: string, body: (n: number) => unknown, environment = 'sandbox') =>
      Promise.all(
        [1, 2].map((n) =>
          call(t.app, 'POST', url, { as: { cookie: owner.cookie }, environment, body: body(n) }),
        ),
      );
    const connection = (n: number) => ({
      name: `last ${n}`,
      type: 'HTTP',
      http: { baseUri: 'https://example.com' },
    });
    for (const [url, body, type] of [
      ['/v1/agents', (n: number) => ({ name: `last ${n}` }), 'agents'],
      ['/v1/api-tokens', (n: number) => ({ name: `last ${n}` }), 'API tokens'],
      ['/v1/connections', connection, 'connections'],
    ] as const) {
      // Two at once for the last place: one gets it.
      const answers = await create(url, body);
      expect(answers.map((answer) => answer.statusCode).sort(), url).toEqual([201, 409]);
      const refused = answers.find((answer) => answer.statusCode === 409);
      expect(refused?.json().error.code).toBe('limit_reached');
      expect(refused?.json().error.message).toMatch(new RegExp(`at most \\d+ ${type}`));
      // Production is another environment, with its own room.
      const [production] = await create(url, body, 'production');
      expect(production?.statusCode).toBe(201);
    }
    expect(await t.db.agent.count({ where: { scopeId } })).toBe(ENVIRONMENT_LIMITS.agents);
    expect(await t.db.apiToken.count({ where: { scopeId } })).toBe(ENVIRONMENT_LIMITS.apiTokens);
    expect(await t.db.connection.count({ where: { scopeId } })).toBe(ENVIRONMENT_LIMITS.connections);
  });

  it('refuses the export, import, script or flow past the limit with 409 limit_reached', async () => {
    const owner = await signUp(t.app);
    const as = { cookie: owner.cookie };
    const { scopeId } = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'production' },
    });
    const made = async (url: string, body: unknown) => {
      const answer = await call(t.app, 'POST', url, { as, body });
      expect(answer.statusCode, answer.body).toBe(201);
      return answer.json().id as string;
    };
    const connectionId = await made('/v1/connections', {
      name: 'shop',
      type: 'HTTP',
      http: { baseUri: 'https://shop.example.com' },
    });
    const exportId = await made('/v1/exports', { name: 'orders', connectionId, http: { path: '/orders' } });
    const importId = await made('/v1/imports', { name: 'ledger', connectionId, http: { path: '/ledger' } });
    const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
    await t.db.export.createMany({
      data: names(ENVIRONMENT_LIMITS.exports - 1, 'export').map((name) => ({
        scopeId,
        name,
        connectionId,
        settings: { http: { path: '/x' } },
      })),
    });
    await t.db.import.createMany({
      data: names(ENVIRONMENT_LIMITS.imports - 1, 'import').map((name) => ({
        scopeId,
        name,
        connectionId,
        settings: { http: { path: '/x' } },
      })),
    });
    await t.db.script.createMany({
      data: names(ENVIRONMENT_LIMITS.scripts, 'script').map((name) => ({
        scopeId,
        name,
        kind: 'FILTER' as const,
        source: 'function filter() { return true; }',
      })),
    });
    await t.db.flow.createMany({
      data: names(ENVIRONMENT_LIMITS.flows, 'flow').map((name) => ({ scopeId, name, exportId })),
    });
    for (const [url, body, type] of [
      ['/v1/exports', { name: 'one more', connectionId, http: { path: '/more' } }, 'exports'],
      ['/v1/imports', { name: 'one more', connectionId, http: { path: '/more' } }, 'imports'],
      [
        '/v1/scripts',
        { name: 'one more', kind: 'FILTER', source: 'function filter() { return true; }' },
        'scripts',
      ],
      ['/v1/flows', { name: 'one more', exportId, importIds: [importId] }, 'flows'],
    ] as const) {
      const refused = await call(t.app, 'POST', url, { as, body });
      expect(refused.statusCode, url).toBe(409);
      expect(refused.json().error.code).toBe('limit_reached');
      expect(refused.json().error.message).toMatch(new RegExp(`at most \\d+ ${type}`));
    }
    for (const [count, type] of [
      [await t.db.export.count({ where: { scopeId } }), 'exports'],
      [await t.db.import.count({ where: { scopeId } }), 'imports'],
      [await t.db.script.count({ where: { scopeId } }), 'scripts'],
      [await t.db.flow.count({ where: { scopeId } }), 'flows'],
    ] as const)
      expect(count, type).toBe(ENVIRONMENT_LIMITS[type]);
  });
});
