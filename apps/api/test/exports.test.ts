import type { Export } from '@outpost/protocol/rest/exports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, issuePaths, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
let api: { id: string };
let db: { id: string };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
  api = await createConnection(owner, 'ERP', 'HTTP');
  db = await createConnection(owner, 'Orders DB', 'POSTGRES');
});
afterAll(() => t.close());

async function as(who: SignedUp, method: string, url: string, body?: unknown, environment?: string) {
  return call(t.app, method, url, {
    as: { cookie: who.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
}

async function createConnection(
  who: SignedUp,
  name: string,
  type: 'HTTP' | 'POSTGRES',
  environment?: string,
) {
  const body =
    type === 'HTTP'
      ? { name, type, http: { baseUri: 'https://erp.example.com' } }
      : { name, type, sql: { host: 'db.example.com', database: 'orders', user: 'reader' } };
  const response = await as(who, 'POST', '/v1/connections', body, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string };
}

const httpExport = (name: string, connectionId = api.id) => ({
  name,
  connectionId,
  http: { path: '/orders', recordsPath: 'data', pagination: { type: 'next_link' } },
});
const sqlExport = (name: string, connectionId = db.id) => ({
  name,
  connectionId,
  sql: { query: 'SELECT * FROM orders', keyColumn: 'id', incremental: true },
});

async function create(body: unknown, who = owner, environment?: string): Promise<Export> {
  const response = await as(who, 'POST', '/v1/exports', body, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('exports: create, read, change, delete', () => {
  it('creates an HTTP export with its defaults, shows it and lists it by name ignoring case', async () => {
    const created = await create({ ...httpExport('orders'), description: 'All orders' });
    expect(created).toMatchObject({
      name: 'orders',
      description: 'All orders',
      connection: { id: api.id, name: 'ERP', type: 'HTTP', mode: 'CLOUD' },
      http: {
        method: 'GET',
        path: '/orders',
        recordsPath: 'data',
        pagination: { type: 'next_link', source: 'body', path: 'next' },
      },
      sql: null,
      lastValue: null,
    });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    await create(httpExport('Customers'));
    await create(httpExport('zeta'));
    await create(httpExport('Beta'));
    const list = await as(owner, 'GET', '/v1/exports');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((item: Export) => item.name)).toEqual([
      'Beta',
      'Customers',
      'orders',
      'zeta',
    ]);
    expect((await as(owner, 'GET', `/v1/exports/${created.id}`)).json()).toEqual(created);
    const event = await t.db.auditEvent.findFirst({
      where: { action: 'export.created', targetId: created.id },
    });
    expect(event?.actorLabel).toBe(owner.email);
  });

  it('creates a SQL export on a database connection, and changes and deletes it', async () => {
    const created = await create(sqlExport('orders by id'));
    expect(created.sql).toEqual({
      query: 'SELECT * FROM orders',
      params: [],
      keyColumn: 'id',
      incremental: true,
    });
    expect(created.http).toBeNull();
    const changed = await as(owner, 'PATCH', `/v1/exports/${created.id}`, {
      name: 'orders renamed',
      description: 'changed',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'orders renamed',
      description: 'changed',
      sql: created.sql,
    });
    expect((await as(owner, 'DELETE', `/v1/exports/${created.id}`)).statusCode).toBe(204);
    expect((await as(owner, 'GET', `/v1/exports/${created.id}`)).statusCode).toBe(404);
    expect(await t.db.auditEvent.count({ where: { targetId: created.id } })).toBe(3);
  });

  it('refuses bad input, naming the field', async () => {
    const noName = await as(owner, 'POST', '/v1/exports', { ...httpExport(''), name: '' });
    expect(noName.statusCode).toBe(400);
    expect(issuePaths(noName)).toContain('body.name');
    const both = await as(owner, 'POST', '/v1/exports', { ...httpExport('both'), sql: sqlExport('x').sql });
    expect(both.statusCode).toBe(400);
    expect(issuePaths(both)).toEqual(['body.http']);
    const badPath = await as(owner, 'POST', '/v1/exports', {
      ...httpExport('bad path'),
      http: { path: 'orders' },
    });
    expect(issuePaths(badPath)).toEqual(['body.http.path']);
    const badKey = await as(owner, 'POST', '/v1/exports', {
      ...sqlExport('bad key'),
      sql: { query: 'SELECT 1', keyColumn: 'id; drop table x' },
    });
    expect(issuePaths(badKey)).toEqual(['body.sql.keyColumn']);
    await create(httpExport('twice'));
    const twice = await as(owner, 'POST', '/v1/exports', httpExport('twice'));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('An export named "twice" already exists');
  });

  it('refuses settings of the wrong kind for the connection, naming `http` or `sql`', async () => {
    const sqlOnHttp = await as(owner, 'POST', '/v1/exports', sqlExport('sql on http', api.id));
    expect(sqlOnHttp.statusCode).toBe(422);
    expect(sqlOnHttp.json().error.code).toBe('invalid_settings');
    expect(issuePaths(sqlOnHttp)).toEqual(['sql']);
    const httpOnSql = await as(owner, 'POST', '/v1/exports', httpExport('http on sql', db.id));
    expect(issuePaths(httpOnSql)).toEqual(['http']);
    expect(httpOnSql.json().error.message).toContain('"Orders DB" is a PostgreSQL connection');

    // Moving an HTTP export to a database connection needs SQL settings with it.
    const moving = await create(httpExport('moving'));
    const alone = await as(owner, 'PATCH', `/v1/exports/${moving.id}`, { connectionId: db.id });
    expect(alone.statusCode).toBe(422);
    expect(issuePaths(alone)).toEqual(['sql']);
    const moved = await as(owner, 'PATCH', `/v1/exports/${moving.id}`, {
      connectionId: db.id,
      sql: sqlExport('x').sql,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ connection: { id: db.id }, http: null, sql: { keyColumn: 'id' } });
  });

  it('forgets the last value when the query or key column changes, or when told to', async () => {
    const created = await create(sqlExport('incremental'));
    const remember = () =>
      t.db.export.update({ where: { id: created.id }, data: { lastValue: 41 } }).then(() => undefined);
    const lastValue = async () => (await as(owner, 'GET', `/v1/exports/${created.id}`)).json().lastValue;

    await remember();
    expect(await lastValue()).toBe(41);
    await as(owner, 'PATCH', `/v1/exports/${created.id}`, {
      name: 'incremental renamed',
      sql: { ...sqlExport('x').sql, params: [] },
    });
    expect(await lastValue(), 'the same query and key column keep it').toBe(41);
    const requery = await as(owner, 'PATCH', `/v1/exports/${created.id}`, {
      sql: { ...sqlExport('x').sql, query: 'SELECT * FROM orders WHERE paid' },
    });
    expect(requery.json().lastValue).toBeNull();

    await remember();
    await as(owner, 'PATCH', `/v1/exports/${created.id}`, {
      sql: { ...sqlExport('x').sql, query: 'SELECT * FROM orders WHERE paid', keyColumn: 'order_id' },
    });
    expect(await lastValue()).toBeNull();

    await remember();
    const forget = await as(owner, 'PATCH', `/v1/exports/${created.id}`, { lastValue: null });
    expect(forget.statusCode).toBe(200);
    expect(forget.json().lastValue).toBeNull();
  });

  it('a connection that exports use cannot be deleted: 409 naming them', async () => {
    const connection = await createConnection(owner, 'Busy', 'HTTP');
    const first = await create(httpExport('uses Busy A', connection.id));
    await create(httpExport('uses Busy B', connection.id));
    const refused = await as(owner, 'DELETE', `/v1/connections/${connection.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('in_use');
    expect(refused.json().error.message).toContain('the exports "uses Busy A", "uses Busy B"');
    await as(owner, 'DELETE', `/v1/exports/${first.id}`);
    await as(owner, 'PATCH', `/v1/exports/${(await byName('uses Busy B')).id}`, { connectionId: api.id });
    expect((await as(owner, 'DELETE', `/v1/connections/${connection.id}`)).statusCode).toBe(204);
  });
});

async function byName(name: string): Promise<Export> {
  const items: Export[] = (await as(owner, 'GET', '/v1/exports')).json().items;
  const found = items.find((item) => item.name === name);
  if (!found) throw new Error(`no export ${name}`);
  return found;
}

describe('environments', () => {
  it("MULTI_ENV: another environment's export is not found, and its connection cannot be used", async () => {
    const sandboxConnection = await createConnection(owner, 'Sandbox ERP', 'HTTP', 'sandbox');
    const sandboxExport = await create(httpExport('sandbox orders', sandboxConnection.id), owner, 'sandbox');
    expect((await as(owner, 'GET', `/v1/exports/${sandboxExport.id}`)).statusCode).toBe(404);
    expect((await as(owner, 'PATCH', `/v1/exports/${sandboxExport.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await as(owner, 'DELETE', `/v1/exports/${sandboxExport.id}`)).statusCode).toBe(404);
    const names = (await as(owner, 'GET', '/v1/exports')).json().items.map((item: Export) => item.name);
    expect(names).not.toContain('sandbox orders');

    const crossing = await as(owner, 'POST', '/v1/exports', httpExport('crossing', sandboxConnection.id));
    expect(crossing.statusCode).toBe(422);
    expect(crossing.json().error.code).toBe('invalid_reference');
    expect(issuePaths(crossing)).toEqual(['connectionId']);
    const own = await create(httpExport('stays home'));
    const moved = await as(owner, 'PATCH', `/v1/exports/${own.id}`, { connectionId: sandboxConnection.id });
    expect(moved.statusCode).toBe(422);
    expect(issuePaths(moved)).toEqual(['connectionId']);
  });

  it('LEGACY: an export created in Sandbox is listed and changed from Production', async () => {
    const legacy = await signUp(t.app, { license: 'LEGACY' });
    const connection = await createConnection(legacy, 'Legacy ERP', 'HTTP', 'sandbox');
    const created = await create(httpExport('legacy orders', connection.id), legacy, 'sandbox');
    const list = await as(legacy, 'GET', '/v1/exports', undefined, 'production');
    expect(list.json().items.map((item: Export) => item.id)).toEqual([created.id]);
    const renamed = await as(legacy, 'PATCH', `/v1/exports/${created.id}`, { name: 'renamed' }, 'production');
    expect(renamed.statusCode).toBe(200);
    expect((await as(legacy, 'GET', `/v1/exports/${created.id}`, undefined, 'sandbox')).json().name).toBe(
      'renamed',
    );
  });
});

describe('roles', () => {
  it('MONITOR reads exports but cannot create, change or delete them', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const existing = await create(httpExport('watched'));
    const asMonitor = (method: string, url: string, body?: unknown) =>
      call(t.app, method, url, { as: { cookie: monitor.cookie }, ...(body ? { body } : {}) });
    expect((await asMonitor('GET', '/v1/exports')).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/exports/${existing.id}`)).statusCode).toBe(200);
    expect((await asMonitor('POST', '/v1/exports', httpExport('by monitor'))).statusCode).toBe(403);
    expect((await asMonitor('PATCH', `/v1/exports/${existing.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await asMonitor('DELETE', `/v1/exports/${existing.id}`)).statusCode).toBe(403);
  });
});
