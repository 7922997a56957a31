import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
const as = () => ({ cookie: owner.cookie });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
});
afterAll(() => t.close());

async function createAgent(name: string, description = '') {
  const response = await call(t.app, 'POST', '/v1/agents', { as: as(), body: { name, description } });
  expect(response.statusCode).toBe(201);
  return response.json();
}

describe('agents', () => {
  it('creates an agent awaiting setup, with its token already generated', async () => {
    const agent = await createAgent('VM1', 'SQL Server on VM1');
    expect(agent).toMatchObject({
      name: 'VM1',
      description: 'SQL Server on VM1',
      status: 'awaiting_setup',
      version: null,
      hostname: null,
      autoUpgrade: true,
    });
    expect(agent.tokenLast4).toHaveLength(4);
    const token = (await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: as() })).json().token;
    expect(token).toMatch(/^opa_[0-9A-Za-z]{36}$/);
    expect(token.endsWith(agent.tokenLast4)).toBe(true);
  });

  it('lists agents by name, a page at a time, with a total, and finds them by search', async () => {
    for (const name of ['list-c', 'list-a', 'list-b']) await createAgent(name, `described ${name}`);
    const first = await call(t.app, 'GET', '/v1/agents?limit=2&search=list-', { as: as() });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((agent: { name: string }) => agent.name)).toEqual(['list-a', 'list-b']);
    expect(first.json().total).toBe(3);
    const second = await call(
      t.app,
      'GET',
      `/v1/agents?limit=2&search=list-&cursor=${first.json().nextCursor}`,
      { as: as() },
    );
    expect(second.json().items.map((agent: { name: string }) => agent.name)).toEqual(['list-c']);
    expect(second.json().nextCursor).toBeNull();
    const byDescription = await call(t.app, 'GET', '/v1/agents?search=DESCRIBED%20LIST-B', { as: as() });
    expect(byDescription.json().items.map((agent: { name: string }) => agent.name)).toEqual(['list-b']);
  });

  it('renames, describes and turns auto-upgrade off', async () => {
    const agent = await createAgent('rename-me');
    const response = await call(t.app, 'PATCH', `/v1/agents/${agent.id}`, {
      as: as(),
      body: { name: 'renamed', description: 'now described', autoUpgrade: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'renamed',
      description: 'now described',
      autoUpgrade: false,
    });
    const stored = await t.db.agent.findUniqueOrThrow({ where: { id: agent.id } });
    expect(stored).toMatchObject({ name: 'renamed', autoUpgrade: false });
  });

  it('deletes an agent and its token with it', async () => {
    const agent = await createAgent('delete-me');
    expect((await call(t.app, 'DELETE', `/v1/agents/${agent.id}`, { as: as() })).statusCode).toBe(204);
    expect(await t.db.agent.findUnique({ where: { id: agent.id } })).toBeNull();
    expect((await call(t.app, 'GET', `/v1/agents/${agent.id}`, { as: as() })).statusCode).toBe(404);
  });

  it('records who created, changed, showed, regenerated and deleted', async () => {
    const agent = await createAgent('audited');
    await call(t.app, 'PATCH', `/v1/agents/${agent.id}`, { as: as(), body: { description: 'x' } });
    await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: as() });
    await call(t.app, 'POST', `/v1/agents/${agent.id}/token`, { as: as() });
    await call(t.app, 'DELETE', `/v1/agents/${agent.id}`, { as: as() });
    const events = await t.db.auditEvent.findMany({
      where: { targetId: agent.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(events.map((event) => event.action)).toEqual([
      'agent.created',
      'agent.updated',
      'agent.token_shown',
      'agent.token_generated',
      'agent.deleted',
    ]);
    expect(events.every((event) => event.actorLabel === owner.email)).toBe(true);
  });
});

describe('agents: bad input changes nothing', () => {
  it.each([
    ['an empty name', { name: '   ' }, 'body.name'],
    ['a 300-character name', { name: 'x'.repeat(300) }, 'body.name'],
    ['a missing name', { description: 'no name' }, 'body.name'],
    ['a 600-character description', { name: 'ok', description: 'd'.repeat(600) }, 'body.description'],
  ])('refuses %s, naming the field', async (_case, body, field) => {
    const before = await t.db.agent.count();
    const response = await call(t.app, 'POST', '/v1/agents', { as: as(), body });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues.map((issue: { path: string }) => issue.path)).toContain(field);
    expect(await t.db.agent.count()).toBe(before);
  });

  it('refuses a duplicate name in the environment with 409, on create and on rename', async () => {
    const first = await createAgent('twin');
    const other = await createAgent('not-twin');
    const duplicate = await call(t.app, 'POST', '/v1/agents', { as: as(), body: { name: 'twin' } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.message).toContain('twin');
    const rename = await call(t.app, 'PATCH', `/v1/agents/${other.id}`, { as: as(), body: { name: 'twin' } });
    expect(rename.statusCode).toBe(409);
    expect((await t.db.agent.findUniqueOrThrow({ where: { id: other.id } })).name).toBe('not-twin');
    expect((await t.db.agent.findUniqueOrThrow({ where: { id: first.id } })).name).toBe('twin');
  });

  it('allows the same name in another environment of a multi-environment account', async () => {
    await createAgent('everywhere');
    const sandbox = await call(t.app, 'POST', '/v1/agents', {
      as: as(),
      environment: 'sandbox',
      body: { name: 'everywhere' },
    });
    expect(sandbox.statusCode).toBe(201);
  });

  it('refuses an empty PATCH and a malformed id', async () => {
    const agent = await createAgent('patch-target');
    expect((await call(t.app, 'PATCH', `/v1/agents/${agent.id}`, { as: as(), body: {} })).statusCode).toBe(
      400,
    );
    const malformed = await call(t.app, 'GET', '/v1/agents/not-a-uuid', { as: as() });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.issues[0].path).toBe('params.id');
  });

  it("keeps another environment's agent out of reach: 404 for read, change, token and delete", async () => {
    const sandboxAgent = (
      await call(t.app, 'POST', '/v1/agents', {
        as: as(),
        environment: 'sandbox',
        body: { name: 'sandbox-only' },
      })
    ).json();
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '/token'],
      ['POST', '/token'],
      ['GET', '/download?os=linux'],
    ] as const) {
      const response = await call(t.app, method, `/v1/agents/${sandboxAgent.id}${suffix}`, {
        as: as(),
        ...(method === 'PATCH' ? { body: { name: 'moved' } } : {}),
      });
      expect(response.statusCode, `${method} ${suffix}`).toBe(404);
    }
    const stored = await t.db.agent.findUniqueOrThrow({ where: { id: sandboxAgent.id } });
    expect(stored.name).toBe('sandbox-only');
    expect(stored.tokenDigest).toBeTruthy();
  });

  it('lets MONITOR read the list but never a token or a change', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const agent = await createAgent('monitored');
    expect((await call(t.app, 'GET', '/v1/agents', { as: { cookie: monitor.cookie } })).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', `/v1/agents/${agent.id}/token`],
      ['POST', `/v1/agents/${agent.id}/token`],
      ['POST', '/v1/agents'],
      ['PATCH', `/v1/agents/${agent.id}`],
      ['DELETE', `/v1/agents/${agent.id}`],
    ] as const) {
      const response = await call(t.app, method, url, {
        as: { cookie: monitor.cookie },
        body: method === 'GET' ? undefined : { name: 'x' },
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.body).not.toMatch(/opa_/);
    }
    const stored = await t.db.agent.findUniqueOrThrow({ where: { id: agent.id } });
    expect(stored.tokenLast4).toBe(agent.tokenLast4);
  });

  it('lets MANAGE show and generate tokens', async () => {
    const manager = await addMember(t.app, owner, 'MANAGE');
    const agent = await createAgent('managed');
    expect(
      (await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: { cookie: manager.cookie } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call(t.app, 'POST', `/v1/agents/${agent.id}/token`, { as: { cookie: manager.cookie } }))
        .statusCode,
    ).toBe(200);
  });
});

describe('agents across environments', () => {
  it('LEGACY: an agent created in Sandbox is listed in Production', async () => {
    const legacy = await signUp(t.app, { license: 'LEGACY' });
    const created = await call(t.app, 'POST', '/v1/agents', {
      as: { cookie: legacy.cookie },
      environment: 'sandbox',
      body: { name: 'shared' },
    });
    expect(created.statusCode).toBe(201);
    const production = await call(t.app, 'GET', '/v1/agents', {
      as: { cookie: legacy.cookie },
      environment: 'production',
    });
    expect(production.json().items.map((agent: { id: string }) => agent.id)).toEqual([created.json().id]);
  });

  it('MULTI_ENV: an agent created in Sandbox is not listed in Production', async () => {
    const multi = await signUp(t.app, { license: 'MULTI_ENV' });
    const created = await call(t.app, 'POST', '/v1/agents', {
      as: { cookie: multi.cookie },
      environment: 'sandbox',
      body: { name: 'isolated' },
    });
    expect(created.statusCode).toBe(201);
    const production = await call(t.app, 'GET', '/v1/agents', {
      as: { cookie: multi.cookie },
      environment: 'production',
    });
    expect(production.json().items).toEqual([]);
    const sandbox = await call(t.app, 'GET', '/v1/agents', {
      as: { cookie: multi.cookie },
      environment: 'sandbox',
    });
    expect(sandbox.json().items.map((agent: { id: string }) => agent.id)).toEqual([created.json().id]);
  });
});
