import type { Import } from '@outpost/protocol/rest/imports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, issuePaths, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
let api: { id: string };
let db: { id: string };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
  api = await createConnection(owner, 'Shop', 'HTTP');
  db = await createConnection(owner, 'Warehouse DB', 'MYSQL');
});
afterAll(() => t.close());

async function as(who: SignedUp, method: string, url: string, body?: unknown, environment?: string) {
  return call(t.app, method, url, {
    as: { cookie: who.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
}

async function createConnection(who: SignedUp, name: string, type: 'HTTP' | 'MYSQL', environment?: string) {
  const body =
    type === 'HTTP'
      ? { name, type, http: { baseUri: 'https://shop.example.com' } }
      : { name, type, sql: { host: 'db.example.com', database: 'stock', user: 'writer' } };
  const response = await as(who, 'POST', '/v1/connections', body, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string };
}

const httpImport = (name: string, connectionId = api.id) => ({
  name,
  connectionId,
  http: { path: '/orders/{{record.id}}', method: 'PUT', mode: 'record' },
});
const sqlImport = (name: string, connectionId = db.id) => ({
  name,
  connectionId,
  sql: {
    table: 'stock.orders',
    mode: 'upsert',
    keyColumns: ['id'],
    columns: [
      { column: 'id', field: 'id' },
      { column: 'total', field: 'amount.total' },
    ],
  },
});

async function create(body: unknown, who = owner, environment?: string): Promise<Import> {
  const response = await as(who, 'POST', '/v1/imports', body, environment);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function createFlow(name: string, importIds: string[]) {
  const exported = await as(owner, 'POST', '/v1/exports', {
    name: `${name} source`,
    connectionId: api.id,
    http: { path: '/orders' },
  });
  expect(exported.statusCode, exported.body).toBe(201);
  const flow = await as(owner, 'POST', '/v1/flows', { name, exportId: exported.json().id, importIds });
  expect(flow.statusCode, flow.body).toBe(201);
  return flow.json() as { id: string };
}

describe('imports: create, read, change, delete', () => {
  it('creates HTTP and SQL imports with their defaults, and lists them by name ignoring case', async () => {
    const http = await create(httpImport('orders out'));
    expect(http).toMatchObject({
      name: 'orders out',
      description: '',
      connection: { id: api.id, name: 'Shop', type: 'HTTP', mode: 'CLOUD' },
      http: { method: 'PUT', path: '/orders/{{record.id}}', mode: 'record', batchSize: 100 },
      sql: null,
    });
    const sql = await create(sqlImport('Stock upsert'));
    expect(sql).toMatchObject({
      connection: { id: db.id, type: 'MYSQL' },
      http: null,
      sql: { table: 'stock.orders', mode: 'upsert', keyColumns: ['id'], batchSize: 500 },
    });
    await create(httpImport('audit trail'));
    const names = (await as(owner, 'GET', '/v1/imports')).json().items.map((item: Import) => item.name);
    expect(names).toEqual(['audit trail', 'orders out', 'Stock upsert']);
    expect((await as(owner, 'GET', `/v1/imports/${sql.id}`)).json()).toEqual(sql);
  });

  it('changes an import (settings replaced whole) and deletes it, with an audit event for each', async () => {
    const created = await create(httpImport('to change'));
    const changed = await as(owner, 'PATCH', `/v1/imports/${created.id}`, {
      description: 'batched now',
      http: { path: '/orders/bulk' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      description: 'batched now',
      http: { method: 'POST', path: '/orders/bulk', mode: 'batch' },
    });
    expect((await as(owner, 'DELETE', `/v1/imports/${created.id}`)).statusCode).toBe(204);
    expect((await as(owner, 'GET', `/v1/imports/${created.id}`)).statusCode).toBe(404);
    const actions = await t.db.auditEvent.findMany({
      where: { targetId: created.id },
      orderBy: { id: 'asc' },
    });
    expect(actions.map((event) => event.action)).toEqual([
      'import.created',
      'import.updated',
      'import.deleted',
    ]);
  });

  it('refuses bad input, naming the field', async () => {
    const noKey = await as(owner, 'POST', '/v1/imports', {
      ...sqlImport('no key'),
      sql: { table: 'orders', mode: 'upsert', columns: [{ column: 'id', field: 'id' }] },
    });
    expect(noKey.statusCode).toBe(400);
    expect(issuePaths(noKey)).toEqual(['body.sql.keyColumns']);
    const noColumns = await as(owner, 'POST', '/v1/imports', {
      ...sqlImport('no columns'),
      sql: { table: 'orders', columns: [] },
    });
    expect(issuePaths(noColumns)).toEqual(['body.sql.columns']);
    const badTable = await as(owner, 'POST', '/v1/imports', {
      ...sqlImport('bad table'),
      sql: { table: 'orders; drop', columns: [{ column: 'id', field: 'id' }] },
    });
    expect(issuePaths(badTable)).toEqual(['body.sql.table']);
    const neither = await as(owner, 'POST', '/v1/imports', { name: 'neither', connectionId: api.id });
    expect(issuePaths(neither)).toEqual(['body.http']);
  });

  it('refuses settings of the wrong kind for the connection, naming `http` or `sql`', async () => {
    const sqlOnHttp = await as(owner, 'POST', '/v1/imports', sqlImport('sql on http', api.id));
    expect(sqlOnHttp.statusCode).toBe(422);
    expect(sqlOnHttp.json().error.code).toBe('invalid_settings');
    expect(issuePaths(sqlOnHttp)).toEqual(['sql']);
    const created = await create(sqlImport('stays sql'));
    const httpOnSql = await as(owner, 'PATCH', `/v1/imports/${created.id}`, { http: { path: '/x' } });
    expect(httpOnSql.statusCode).toBe(422);
    expect(issuePaths(httpOnSql)).toEqual(['http']);
    expect(httpOnSql.json().error.message).toContain('"Warehouse DB" is a MySQL connection');
  });

  it('an import that flows use cannot be deleted, nor its connection: 409 naming them', async () => {
    const used = await create(httpImport('used import'));
    await createFlow('Nightly orders', [used.id]);
    await createFlow('Hourly orders', [used.id]);
    const refused = await as(owner, 'DELETE', `/v1/imports/${used.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'in_use',
      message: expect.stringContaining('the flows "Hourly orders", "Nightly orders"'),
    });
    const connection = await as(owner, 'DELETE', `/v1/connections/${db.id}`);
    expect(connection.statusCode).toBe(409);
    expect(connection.json().error.message).toMatch(/^The connection "Warehouse DB" is used by the imports/);
    expect((await as(owner, 'GET', `/v1/imports/${used.id}`)).statusCode).toBe(200);
  });
});

describe('environments', () => {
  it("MULTI_ENV: another environment's import is not found, and its connection cannot be used", async () => {
    const sandboxConnection = await createConnection(owner, 'Sandbox shop', 'HTTP', 'sandbox');
    const sandboxImport = await create(httpImport('sandbox out', sandboxConnection.id), owner, 'sandbox');
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const)
      expect((await as(owner, method, `/v1/imports/${sandboxImport.id}`, body)).statusCode).toBe(404);
    const crossing = await as(owner, 'POST', '/v1/imports', httpImport('crossing', sandboxConnection.id));
    expect(crossing.statusCode).toBe(422);
    expect(crossing.json().error.code).toBe('invalid_reference');
    expect(issuePaths(crossing)).toEqual(['connectionId']);
  });

  it('LEGACY: an import created in Production is shown in Sandbox', async () => {
    const legacy = await signUp(t.app, { license: 'LEGACY' });
    const connection = await createConnection(legacy, 'Legacy shop', 'HTTP', 'production');
    const created = await create(httpImport('legacy out', connection.id), legacy, 'production');
    const shown = await as(legacy, 'GET', `/v1/imports/${created.id}`, undefined, 'sandbox');
    expect(shown.statusCode).toBe(200);
    const list = await as(legacy, 'GET', '/v1/imports', undefined, 'sandbox');
    expect(list.json().items.map((item: Import) => item.id)).toEqual([created.id]);
  });
});

describe('roles', () => {
  it('MONITOR reads imports but cannot create, change or delete them', async () => {
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const existing = await create(httpImport('watched'));
    const asMonitor = (method: string, url: string, body?: unknown) =>
      call(t.app, method, url, { as: { cookie: monitor.cookie }, ...(body ? { body } : {}) });
    expect((await asMonitor('GET', '/v1/imports')).statusCode).toBe(200);
    expect((await asMonitor('GET', `/v1/imports/${existing.id}`)).statusCode).toBe(200);
    expect((await asMonitor('POST', '/v1/imports', httpImport('by monitor'))).statusCode).toBe(403);
    expect((await asMonitor('PATCH', `/v1/imports/${existing.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await asMonitor('DELETE', `/v1/imports/${existing.id}`)).statusCode).toBe(403);
  });
});
