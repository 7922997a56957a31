import type { Script } from '@outpost/protocol/rest/scripts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, issuePaths, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
});
afterAll(() => t.close());

async function as(who: SignedUp, method: string, url: string, body?: unknown, environment?: string) {
  return call(t.app, method, url, {
    as: { cookie: who.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
}

const TRANSFORM = 'function transform(record) {\n  return { ...record, total: record.amount * 2 };\n}\n';
const FILTER = 'function filter(record) {\n  return record.paid === true;\n}\n';
/** A syntax error on line 3. */
const BROKEN = 'function transform(record) {\n  const total = record.amount;\n  return total +;\n}\n';

async function create(body: Record<string, unknown>, who = owner, environment?: string): Promise<Script> {
  const response = await as(who, 'POST', '/v1/scripts', body, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('scripts: create, read, change, delete', () => {
  it('creates transform and filter scripts, shows their source and lists them by name ignoring case', async () => {
    const transform = await create({ name: 'double', kind: 'TRANSFORM', source: TRANSFORM });
    expect(transform).toMatchObject({
      name: 'double',
      description: '',
      kind: 'TRANSFORM',
      source: TRANSFORM,
    });
    await create({ name: 'Paid only', kind: 'FILTER', source: FILTER, description: 'drops unpaid orders' });
    await create({ name: 'anonymise', kind: 'TRANSFORM', source: TRANSFORM });
    const names = (await as(owner, 'GET', '/v1/scripts')).json().items.map((item: Script) => item.name);
    expect(names).toEqual(['anonymise', 'double', 'Paid only']);
    expect((await as(owner, 'GET', `/v1/scripts/${transform.id}`)).json()).toEqual(transform);
  });

  it('changes and deletes a script, with an audit event for each', async () => {
    const created = await create({ name: 'to change', kind: 'TRANSFORM', source: TRANSFORM });
    const changed = await as(owner, 'PATCH', `/v1/scripts/${created.id}`, { kind: 'FILTER', source: FILTER });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'to change', kind: 'FILTER', source: FILTER });
    expect((await as(owner, 'DELETE', `/v1/scripts/${created.id}`)).statusCode).toBe(204);
    expect((await as(owner, 'GET', `/v1/scripts/${created.id}`)).statusCode).toBe(404);
    const actions = await t.db.auditEvent.findMany({
      where: { targetId: created.id },
      orderBy: { id: 'asc' },
    });
    expect(actions.map((event) => event.action)).toEqual([
      'script.created',
      'script.updated',
      'script.deleted',
    ]);
  });

  it('refuses a script with a syntax error at save, naming the line; nothing is saved', async () => {
    const response = await as(owner, 'POST', '/v1/scripts', {
      name: 'broken',
      kind: 'TRANSFORM',
      source: BROKEN,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'script_invalid',
      issues: [{ path: 'source', message: expect.stringMatching(/^Line 3: SyntaxError: /) }],
    });
    expect(await t.db.script.count({ where: { name: 'broken' } })).toBe(0);

    // A change is checked too: the source, or the kind against the source that stays.
    const good = await create({ name: 'stays good', kind: 'TRANSFORM', source: TRANSFORM });
    const broken = await as(owner, 'PATCH', `/v1/scripts/${good.id}`, { source: BROKEN });
    expect(broken.statusCode).toBe(422);
    expect(issuePaths(broken)).toEqual(['source']);
    const wrongKind = await as(owner, 'PATCH', `/v1/scripts/${good.id}`, { kind: 'FILTER' });
    expect(wrongKind.statusCode).toBe(422);
    expect(wrongKind.json().error.issues[0].message).toBe('The script must define a function filter(record)');
    expect((await as(owner, 'GET', `/v1/scripts/${good.id}`)).json()).toEqual(good);
  });

  it('checks a script without saving it: 200 either way', async () => {
    const ok = await as(owner, 'POST', '/v1/scripts/check', { kind: 'FILTER', source: FILTER });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, message: 'The script compiles', line: null, column: null });
    const bad = await as(owner, 'POST', '/v1/scripts/check', { kind: 'TRANSFORM', source: BROKEN });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ ok: false, line: 3, column: expect.any(Number) });
    expect(bad.json().message).toMatch(/^Line 3: /);
    const endless = await as(owner, 'POST', '/v1/scripts/check', {
      kind: 'TRANSFORM',
      source: `while (true) {}\n${TRANSFORM}`,
    });
    expect(endless.json()).toMatchObject({ ok: false, message: expect.stringContaining('CPU time limit') });
  });

  it('refuses bad input, naming the field', async () => {
    const noKind = await as(owner, 'POST', '/v1/scripts', { name: 'x', source: TRANSFORM });
    expect(noKind.statusCode).toBe(400);
    expect(issuePaths(noKind)).toEqual(['body.kind']);
    const empty = await as(owner, 'POST', '/v1/scripts', { name: 'x', kind: 'FILTER', source: '' });
    expect(issuePaths(empty)).toEqual(['body.source']);
    await create({ name: 'twice', kind: 'FILTER', source: FILTER });
    const twice = await as(owner, 'POST', '/v1/scripts', { name: 'twice', kind: 'FILTER', source: FILTER });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('A script named "twice" already exists');
  });

  it('a script that flows use cannot be deleted: 409 naming them', async () => {
    const script = await create({ name: 'used script', kind: 'FILTER', source: FILTER });
    const connection = await as(owner, 'POST', '/v1/connections', {
      name: 'API',
      type: 'HTTP',
      http: { baseUri: 'https://api.example.com' },
    });
    const connectionId = connection.json().id;
    const exportId = (
      await as(owner, 'POST', '/v1/exports', { name: 'in', connectionId, http: { path: '/in' } })
    ).json().id;
    const importId = (
      await as(owner, 'POST', '/v1/imports', { name: 'out', connectionId, http: { path: '/out' } })
    ).json().id;
    const flow = await as(owner, 'POST', '/v1/flows', {
      name: 'Filtered',
      exportId,
      scriptIds: [script.id],
      importIds: [importId],
    });
    expect(flow.statusCode, flow.body).toBe(201);
    const refused = await as(owner, 'DELETE', `/v1/scripts/${script.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'in_use',
      message: 'The script "used script" is used by the flow "Filtered": change or delete them first',
    });
  });
});

describe('environments', () => {
  it("MULTI_ENV: another environment's script is not found", async () => {
    const sandboxScript = await create(
      { name: 'sandbox only', kind: 'FILTER', source: FILTER },
      owner,
      'sandbox',
    );
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const)
      expect((await as(owner, method, `/v1/scripts/${sandboxScript.id}`, body)).statusCode).toBe(404);
    const names = (await as(owner, 'GET', '/v1/scripts')).json().items.map((item: Script) => item.name);
    expect(names).not.toContain('sandbox only');
  });

  it('LEGACY: a script created in Sandbox is shown and changed in Production', async () => {
    const legacy = await signUp(t.app, { license: 'LEGACY' });
    const created = await create({ name: 'shared', kind: 'FILTER', source: FILTER }, legacy, 'sandbox');
    const list = await as(legacy, 'GET', '/v1/scripts', undefined, 'production');
    expect(list.json().items.map((item: Script) => item.id)).toEqual([created.id]);
    const changed = await as(legacy, 'PATCH', `/v1/scripts/${created.id}`, { description: 'from prod' });
    expect(changed.statusCode).toBe(200);
  });
});

describe('roles', () => {
  it('MONITOR reads scripts but cannot create, change, check or delete them', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const existing = await create({ name: 'watched', kind: 'FILTER', source: FILTER });
    const asMonitor = (method: string, url: string, body?: unknown) =>
      call(t.app, method, url, { as: { cookie: monitor.cookie }, ...(body ? { body } : {}) });
    expect((await asMonitor('GET', '/v1/scripts')).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/scripts/${existing.id}`)).json().source).toBe(FILTER);
    const body = { name: 'by monitor', kind: 'FILTER', source: FILTER };
    expect((await asMonitor('POST', '/v1/scripts', body)).statusCode).toBe(403);
    expect((await asMonitor('POST', '/v1/scripts/check', body)).statusCode).toBe(403);
    expect((await asMonitor('PATCH', `/v1/scripts/${existing.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await asMonitor('DELETE', `/v1/scripts/${existing.id}`)).statusCode).toBe(403);
  });
});
