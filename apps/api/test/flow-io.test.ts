import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeSqlPools } from '@outpost/connectors/sql';
import { HttpExportSettings, SqlExportSettings } from '@outpost/protocol/rest/exports';
import { HttpImportSettings, SqlImportSettings } from '@outpost/protocol/rest/imports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, runAgent } from '../../agent/test/hub/agent-process.ts';
import { ConnectionFailure } from '../src/modules/connections/runner.ts';
import { getConnection, runSqlQuery } from '../src/modules/connections/service.ts';
import type { ConnectionWithAgent } from '../src/modules/connections/settings.ts';
import {
  type ExportCursor,
  ExportFailure,
  type ExportPage,
  readExportPage,
} from '../src/modules/flow-runner/exports/index.ts';
import { ImportFailure, writeImportPage } from '../src/modules/flow-runner/imports/index.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

/**
 * Reading export pages and writing import pages through Cloud connections, against a real HTTP
 * server on 127.0.0.2 and the machine's PostgreSQL (database `test`), which this app is told to
 * treat as reachable (OUTPOST_ALLOW_PRIVATE_TARGETS), as a self-hosted install would.
 */
const PUBLIC = '127.0.0.2';
let t: TestApp;
let owner: SignedUp;
let server: http.Server;
let origin: string;
let httpConnection: ConnectionWithAgent;
let pgConnection: ConnectionWithAgent;

interface Received {
  method: string;
  url: string;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  body: unknown;
}
const received: Received[] = [];
const flakyKeys = new Set<string>();

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));

async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
  const url = new URL(request.url ?? '/', origin);
  let text = '';
  for await (const chunk of request) text += chunk;
  const body = text ? JSON.parse(text) : undefined;
  const key = request.headers['idempotency-key'] as string | undefined;
  if (request.method !== 'GET')
    received.push({
      method: request.method ?? '',
      url: url.pathname + url.search,
      idempotencyKey: key,
      contentType: request.headers['content-type'],
      body,
    });
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(value));
  };
  const page = Number(url.searchParams.get('page') ?? 1);
  const slice = (p: number, size = 2) => ITEMS.slice((p - 1) * size, p * size);
  switch (url.pathname) {
    case '/api/link': {
      // Page 1 links with a path, page 2 with a query only: both relative to the current URL.
      const next = page === 1 ? '/api/link?page=2' : page === 2 ? '?page=3' : null;
      return json(200, { data: { items: slice(page) }, links: { next } });
    }
    case '/api/header': {
      const headers: Record<string, string> =
        page < 3
          ? {
              link: `<${origin}/api/header?page=${page + 1}>; rel="next", <${origin}/api/header?page=3>; rel="last"`,
            }
          : {};
      return json(200, slice(page), headers);
    }
    case '/api/numbered':
      return json(200, { items: slice(page, Number(url.searchParams.get('per_page'))) });
    case '/api/cursor': {
      const at = Number(url.searchParams.get('after') ?? 0);
      const items = ITEMS.slice(at, at + 2);
      return json(200, { items, next_cursor: at + 2 < ITEMS.length ? String(at + 2) : null });
    }
    case '/api/elsewhere':
      return json(200, { items: [], next: `http://127.0.0.3:${url.port}/api/link` });
    case '/api/same-cursor':
      return json(200, { items: [1], next_cursor: 'again' });
    case '/api/not-array':
      return json(200, { data: { items: { id: 1 } } });
    case '/api/not-json':
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<html>hello</html>');
    case '/api/gone':
      return json(404, { error: 'no such thing' });
    case '/api/busy':
      return json(503, { error: 'try later' });
    case '/api/batch':
      if (Array.isArray(body) && body.some((record) => record.bad)) return json(422, { error: 'bad record' });
      return json(200, { ok: true });
    case '/api/forbidden':
      return json(403, { error: 'not yours' });
    case '/api/flaky':
      if (key && !flakyKeys.has(key)) {
        flakyKeys.add(key);
        return json(503, { error: 'hiccup' }, { 'retry-after': '0' });
      }
      return json(201, { ok: true });
    case '/api/always-busy':
      return json(503, { error: 'down' }, { 'retry-after': '0' });
  }
  if (url.pathname.startsWith('/api/orders/')) {
    if (url.pathname.endsWith('/bad')) return json(422, { error: `refused ${url.pathname}` });
    return json(200, { ok: true });
  }
  return json(404, { error: 'unknown path' });
}

const deps = () => ({
  db: t.db,
  secrets: t.app.secrets,
  hub: t.app.hub,
  privateTargets: t.app.config.privateTargets,
});
const signal = () => new AbortController().signal;

async function connection(body: Record<string, unknown>): Promise<ConnectionWithAgent> {
  const response = await call(t.app, 'POST', '/v1/connections', { as: { cookie: owner.cookie }, body });
  expect(response.statusCode, response.body).toBe(201);
  const environment = await t.db.environment.findFirstOrThrow({
    where: { accountId: owner.me.account.id, slug: 'production' },
  });
  return getConnection({ db: t.db }, environment.scopeId, response.json().id);
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  server.listen(0, PUBLIC);
  await once(server, 'listening');
  origin = `http://${PUBLIC}:${(server.address() as AddressInfo).port}`;
  t = await startTestApp({ OUTPOST_ALLOW_PRIVATE_TARGETS: `${PUBLIC}/32,127.0.0.1/32` });
  owner = await signUp(t.app);
  httpConnection = await connection({
    name: 'Shop API',
    type: 'HTTP',
    http: { baseUri: `${origin}/api`, auth: { type: 'bearer', token: 'shop-token' } },
  });
  pgConnection = await connection({
    name: 'Warehouse',
    type: 'POSTGRES',
    sql: { host: '127.0.0.1', port: 5432, database: 'test', user: 'root', tls: 'disable' },
  });
});
afterAll(async () => {
  server?.close();
  await t?.close();
  await closeSqlPools();
});

// Exports ----------------------------------------------------------------------------------------

function httpSource(settings: Record<string, unknown>) {
  return {
    export: {
      id: randomUUID(),
      name: 'Items',
      http: HttpExportSettings.parse(settings),
      sql: null,
      lastValue: null,
    },
    connection: httpConnection,
  };
}

/** Every page of an export, following `next` as the run loop does. */
async function readAll(
  source: Parameters<typeof readExportPage>[1],
  options: { pageSize?: number; incrementalFrom?: string | number | null } = {},
): Promise<{ pages: ExportPage[]; records: unknown[] }> {
  const pages: ExportPage[] = [];
  let cursor: ExportCursor | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await readExportPage(deps(), source, cursor, {
      pageSize: options.pageSize ?? 2,
      signal: signal(),
      ...(options.incrementalFrom !== undefined ? { incrementalFrom: options.incrementalFrom } : {}),
    });
    pages.push(page);
    // The cursor is stored between pages as JSON.
    cursor = JSON.parse(JSON.stringify(page.next));
    if (page.next === null) break;
  }
  return { pages, records: pages.flatMap((page) => page.records) };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('reading an HTTP export', () => {
  it('follows next links in the body, relative to the current URL', async () => {
    const { pages, records } = await readAll(
      httpSource({
        path: '/link',
        recordsPath: 'data.items',
        pagination: { type: 'next_link', source: 'body', path: 'links.next' },
      }),
    );
    expect(records).toEqual(ITEMS);
    expect(pages.map((page) => page.next)).toEqual([
      { url: `${origin}/api/link?page=2` },
      { url: `${origin}/api/link?page=3` },
      null,
    ]);
  });

  it('follows the rel="next" of the Link header', async () => {
    const { records, pages } = await readAll(
      httpSource({ path: '/header', pagination: { type: 'next_link', source: 'link_header' } }),
    );
    expect(records).toEqual(ITEMS);
    expect(pages).toHaveLength(3);
  });

  it('counts page numbers up until a page comes back empty, with the page size', async () => {
    const { records, pages } = await readAll(
      httpSource({
        path: '/numbered',
        recordsPath: 'items',
        pagination: { type: 'page_number', param: 'page', startAt: 1, sizeParam: 'per_page', size: 3 },
      }),
    );
    expect(records).toEqual(ITEMS);
    expect(pages.map((page) => page.records.length)).toEqual([3, 2, 0]);
  });

  it('sends the cursor back until it is missing', async () => {
    const { records, pages } = await readAll(
      httpSource({
        path: '/cursor',
        recordsPath: 'items',
        pagination: { type: 'cursor', param: 'after', path: 'next_cursor' },
      }),
    );
    expect(records).toEqual(ITEMS);
    expect(pages.map((page) => page.next)).toEqual([{ cursor: '2' }, { cursor: '4' }, null]);
  });

  it('reads one page without pagination', async () => {
    const { pages } = await readAll(httpSource({ path: '/numbered?per_page=5', recordsPath: 'items' }));
    expect(pages).toEqual([{ records: ITEMS, next: null }]);
  });

  it('refuses a next link to another origin, before anything is sent there', async () => {
    const source = httpSource({
      path: '/elsewhere',
      recordsPath: 'items',
      pagination: { type: 'next_link' },
    });
    const error = await failureOf(readExportPage(deps(), source, null, { pageSize: 10, signal: signal() }));
    expect(error).toBeInstanceOf(ExportFailure);
    expect(error.message).toMatch(
      /goes to http:\/\/127\.0\.0\.3:\d+, not to the connection's http:\/\/127\.0\.0\.2/,
    );
    // A stored cursor pointing elsewhere is refused too.
    const stored = await failureOf(
      readExportPage(
        deps(),
        source,
        { url: 'http://example.com/api/link' },
        { pageSize: 10, signal: signal() },
      ),
    );
    expect(stored).toBeInstanceOf(ExportFailure);
  });

  it('names the records path when there is no array there, and says when the body is not JSON', async () => {
    const notArray = await failureOf(
      readExportPage(deps(), httpSource({ path: '/not-array', recordsPath: 'data.items' }), null, {
        pageSize: 10,
        signal: signal(),
      }),
    );
    expect(notArray).toBeInstanceOf(ExportFailure);
    expect(notArray.message).toMatch(/no array of records at "data\.items": found an object/);
    const missing = await failureOf(
      readExportPage(deps(), httpSource({ path: '/not-array', recordsPath: 'results' }), null, {
        pageSize: 10,
        signal: signal(),
      }),
    );
    expect(missing.message).toMatch(/at "results": found nothing/);
    const html = await failureOf(
      readExportPage(deps(), httpSource({ path: '/not-json' }), null, { pageSize: 10, signal: signal() }),
    );
    expect(html.message).toMatch(/GET \/not-json is not JSON/);
  });

  it('fails for good on a 4xx, and leaves a 5xx to be retried', async () => {
    const gone = await failureOf(
      readExportPage(deps(), httpSource({ path: '/gone' }), null, { pageSize: 10, signal: signal() }),
    );
    expect(gone).toBeInstanceOf(ExportFailure);
    expect(gone.message).toBe('GET /gone answered 404: {"error":"no such thing"}');
    const busy = await failureOf(
      readExportPage(deps(), httpSource({ path: '/busy' }), null, { pageSize: 10, signal: signal() }),
    );
    expect(busy).toBeInstanceOf(ConnectionFailure);
    expect((busy as ConnectionFailure).code).toBe('http_503');
  });

  it('stops an API that answers the same cursor forever', async () => {
    const source = httpSource({ path: '/same-cursor', recordsPath: 'items', pagination: { type: 'cursor' } });
    const error = await failureOf(
      readExportPage(deps(), source, { cursor: 'again' }, { pageSize: 10, signal: signal() }),
    );
    expect(error.message).toMatch(/same cursor again/);
  });
});

describe('reading a SQL export', () => {
  const table = `flow_io_source_${randomUUID().slice(0, 8)}`;
  const sql = (text: string) => runSqlQuery(deps(), pgConnection, { sql: text }).then(drain);
  const sqlSource = (settings: Record<string, unknown>) => ({
    export: {
      id: randomUUID(),
      name: 'Rows',
      http: null,
      sql: SqlExportSettings.parse(settings),
      lastValue: null,
    },
    connection: pgConnection,
  });

  beforeAll(async () => {
    await sql(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text, kind text, doc jsonb)`);
    await sql(
      `INSERT INTO ${table} SELECT g, 'row ' || g, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END, jsonb_build_object('g', g) FROM generate_series(1, 7) g`,
    );
  });
  afterAll(() => sql(`DROP TABLE IF EXISTS ${table}`));

  it('reads keyset pages ordered by the key, rows as objects by column name', async () => {
    const { pages, records } = await readAll(
      sqlSource({ query: `SELECT * FROM ${table};`, keyColumn: 'id' }),
      {
        pageSize: 3,
      },
    );
    expect(pages.map((page) => page.records.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.next)).toEqual([{ after: '3' }, { after: '6' }, null]);
    expect(pages.map((page) => page.lastValue)).toEqual(['3', '6', '7']);
    expect(records[0]).toEqual({ id: '1', name: 'row 1', kind: 'odd', doc: { g: 1 } });
    expect(records.map((record) => (record as { id: string }).id)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
    ]);
  });

  it('keeps the query parameters apart from the key, and reads incrementally past the last value', async () => {
    const { records } = await readAll(
      sqlSource({
        query: `SELECT id, name FROM ${table} WHERE kind = $1 -- only one kind`,
        params: ['odd'],
        keyColumn: 'id',
      }),
      { pageSize: 2, incrementalFrom: 3 },
    );
    expect(records).toEqual([
      { id: '5', name: 'row 5' },
      { id: '7', name: 'row 7' },
    ]);
  });

  it('fails with the database message for bad SQL, and names a missing key column', async () => {
    const bad = await failureOf(
      readExportPage(deps(), sqlSource({ query: 'SELECT * FROM no_such_table', keyColumn: 'id' }), null, {
        pageSize: 5,
        signal: signal(),
      }),
    );
    expect(bad).toBeInstanceOf(ExportFailure);
    expect(bad.message).toMatch(/relation "no_such_table" does not exist/);
    const noKey = await failureOf(
      readExportPage(
        deps(),
        sqlSource({ query: `SELECT name AS id2 FROM ${table}`, keyColumn: 'id' }),
        null,
        {
          pageSize: 5,
          signal: signal(),
        },
      ),
    );
    expect(noKey).toBeInstanceOf(ExportFailure);
    expect(noKey.message).toMatch(/outpost_export.id does not exist/);
  });
});

describe('reading and writing MySQL/MariaDB', () => {
  let mysql: ConnectionWithAgent;
  const table = `flow_io_my_${randomUUID().slice(0, 8)}`;
  const sql = (text: string) => runSqlQuery(deps(), mysql, { sql: text }).then(drain);

  beforeAll(async () => {
    mysql = await connection({
      name: 'Shop DB',
      type: 'MYSQL',
      sql: { host: '127.0.0.1', port: 3306, database: 'test', user: 'root', tls: 'disable' },
    });
    await sql(`CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(50))`);
  });
  afterAll(() => sql(`DROP TABLE IF EXISTS ${table}`));

  it('writes batches once and reads keyset pages with ? placeholders and backtick quoting', async () => {
    const target = {
      import: {
        id: randomUUID(),
        name: 'Shop rows',
        http: null,
        sql: SqlImportSettings.parse({
          table: `test.${table}`,
          mode: 'upsert',
          keyColumns: ['id'],
          columns: [
            { column: 'id', field: 'id' },
            { column: 'name', field: 'name' },
          ],
          batchSize: 2,
        }),
      },
      connection: mysql,
    };
    const key = { runId: randomUUID(), page: 3 };
    expect(await writeImportPage(deps(), target, ITEMS, key, { signal: signal() })).toEqual({
      written: 5,
      failures: [],
      alreadyWritten: 0,
    });
    expect(await writeImportPage(deps(), target, ITEMS, key, { signal: signal() })).toMatchObject({
      written: 0,
      alreadyWritten: 5,
    });
    const source = {
      export: {
        id: randomUUID(),
        name: 'Shop rows',
        http: null,
        sql: SqlExportSettings.parse({
          query: `SELECT id, name FROM ${table} WHERE name LIKE ?;`,
          params: ['item%'],
          keyColumn: `${table}.id`,
          incremental: true,
        }),
        lastValue: null,
      },
      connection: mysql,
    };
    const { records, pages } = await readAll(source, { pageSize: 2, incrementalFrom: 1 });
    expect(records).toEqual(ITEMS.slice(1));
    expect(pages.map((page) => page.next)).toEqual([{ after: 3 }, { after: 5 }, null]);
  });
});

// Imports ----------------------------------------------------------------------------------------

function httpTarget(settings: Record<string, unknown>) {
  return {
    import: { id: randomUUID(), name: 'Shop', http: HttpImportSettings.parse(settings), sql: null },
    connection: httpConnection,
  };
}

function sentSince(count: number): Received[] {
  return received.slice(count);
}

describe('writing an HTTP import', () => {
  it('sends a request per record with the record in the path, idempotency keys and failures per record', async () => {
    const before = received.length;
    const target = httpTarget({ method: 'PUT', path: '/orders/{{record.ref}}', mode: 'record' });
    const records = [{ ref: 'a/1' }, { ref: 'bad' }, { other: true }, { ref: 'c' }];
    const runId = randomUUID();
    const outcome = await writeImportPage(deps(), target, records, { runId, page: 4 }, { signal: signal() });
    expect(outcome.written).toBe(2);
    expect(outcome.alreadyWritten).toBe(0);
    expect(outcome.failures).toEqual([
      { index: 1, message: 'PUT /orders/bad answered 422: {"error":"refused /api/orders/bad"}' },
      { index: 2, message: 'The path needs {{record.ref}}, which this record does not have' },
    ]);
    const sent = sentSince(before).sort((a, b) => a.url.localeCompare(b.url));
    expect(sent.map((request) => [request.method, request.url, request.idempotencyKey])).toEqual([
      ['PUT', '/api/orders/a%2F1', `outpost:${runId}:${target.import.id}:4:0`],
      ['PUT', '/api/orders/bad', `outpost:${runId}:${target.import.id}:4:1`],
      ['PUT', '/api/orders/c', `outpost:${runId}:${target.import.id}:4:3`],
    ]);
    expect(sent[0]?.contentType).toBe('application/json');
    expect(sent[0]?.body).toEqual({ ref: 'a/1' });
  });

  it('sends batches as JSON arrays, one idempotency key per batch', async () => {
    const before = received.length;
    const target = httpTarget({ path: '/batch', mode: 'batch', batchSize: 2 });
    const runId = randomUUID();
    const outcome = await writeImportPage(deps(), target, ITEMS, { runId, page: 0 }, { signal: signal() });
    expect(outcome).toEqual({ written: 5, failures: [], alreadyWritten: 0 });
    const sent = sentSince(before);
    expect(sent.map((request) => request.body)).toEqual([
      ITEMS.slice(0, 2),
      ITEMS.slice(2, 4),
      ITEMS.slice(4),
    ]);
    expect(sent.map((request) => request.idempotencyKey)).toEqual(
      [0, 1, 2].map((batch) => `outpost:${runId}:${target.import.id}:0:${batch}`),
    );
  });

  it('fills a body template with the records, a record field inside a string, and the run id', async () => {
    const before = received.length;
    const template =
      '{"run": "{{run.id}}", "items": "{{records}}", "note": "first: {{record.name}}", "raw": {{records}}}';
    const target = httpTarget({ path: '/batch', mode: 'batch', batchSize: 10, bodyTemplate: template });
    const runId = randomUUID();
    const records = [{ name: 'quote " and {{run.id}}' }];
    await writeImportPage(deps(), target, records, { runId, page: 1 }, { signal: signal() });
    expect(sentSince(before)[0]?.body).toEqual({ run: runId, items: records, note: 'first: ', raw: records });

    const perRecord = httpTarget({
      path: '/orders/{{record.id}}',
      mode: 'record',
      bodyTemplate:
        '{"order": "{{record}}", "label": "Order {{record.name}} of {{run.id}}", "id": {{record.id}}}',
    });
    const sent = received.length;
    await writeImportPage(deps(), perRecord, [ITEMS[0]], { runId, page: 1 }, { signal: signal() });
    expect(sentSince(sent)[0]?.body).toEqual({ order: ITEMS[0], label: `Order item 1 of ${runId}`, id: 1 });
  });

  it('fails the import on a body template that is not JSON, naming the import', async () => {
    const target = httpTarget({ path: '/batch', bodyTemplate: '{"items": {{records}}' });
    const error = await failureOf(
      writeImportPage(deps(), target, ITEMS, { runId: randomUUID(), page: 0 }, { signal: signal() }),
    );
    expect(error).toBeInstanceOf(ImportFailure);
    expect(error.message).toMatch(/^The body template of import "Shop" is not valid JSON once filled in/);
  });

  it('pinpoints the records a 422 to a batch was about, and fails the run on other 4xx', async () => {
    const before = received.length;
    const target = httpTarget({ path: '/batch', batchSize: 3 });
    const runId = randomUUID();
    const records = [{ n: 1 }, { n: 2, bad: true }, { n: 3 }, { n: 4 }];
    const outcome = await writeImportPage(deps(), target, records, { runId, page: 2 }, { signal: signal() });
    expect(outcome.written).toBe(3);
    expect(outcome.failures).toEqual([
      { index: 1, message: 'POST /batch answered 422: {"error":"bad record"}' },
    ]);
    const keys = sentSince(before).map((request) => request.idempotencyKey);
    const base = `outpost:${runId}:${target.import.id}:2`;
    expect(keys.sort()).toEqual(
      [`${base}:0`, `${base}:0:r0`, `${base}:0:r1`, `${base}:0:r2`, `${base}:1`].sort(),
    );

    const forbidden = await failureOf(
      writeImportPage(
        deps(),
        httpTarget({ path: '/forbidden' }),
        records,
        { runId, page: 0 },
        { signal: signal() },
      ),
    );
    expect(forbidden).toBeInstanceOf(ImportFailure);
    expect(forbidden.message).toBe('POST /forbidden answered 403: {"error":"not yours"}');
  });

  it('tries a 5xx again with the same idempotency key, and gives up with a ConnectionFailure', async () => {
    const before = received.length;
    const runId = randomUUID();
    const outcome = await writeImportPage(
      deps(),
      httpTarget({ path: '/flaky', mode: 'record' }),
      [{ a: 1 }, { a: 2 }],
      { runId, page: 0 },
      { signal: signal() },
    );
    expect(outcome).toEqual({ written: 2, failures: [], alreadyWritten: 0 });
    const keys = sentSince(before).map((request) => request.idempotencyKey);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(2);

    const down = await failureOf(
      writeImportPage(
        deps(),
        httpTarget({ path: '/always-busy' }),
        [{ a: 1 }],
        { runId, page: 0 },
        { signal: signal() },
      ),
    );
    expect(down).toBeInstanceOf(ConnectionFailure);
    expect((down as ConnectionFailure).code).toBe('http_503');
    expect(down.message).toMatch(/after 4 tries/);
  });
});

describe('writing a SQL import', () => {
  const table = `flow_io_dest_${randomUUID().slice(0, 8)}`;
  const sql = (text: string) => runSqlQuery(deps(), pgConnection, { sql: text }).then(drain);
  const sqlTarget = (settings: Record<string, unknown>) => ({
    import: { id: randomUUID(), name: 'Warehouse rows', http: null, sql: SqlImportSettings.parse(settings) },
    connection: pgConnection,
  });
  const columns = [
    { column: 'id', field: 'id' },
    { column: 'name', field: 'customer.name' },
    { column: 'doc', field: 'tags' },
  ];

  beforeAll(() => sql(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text, doc jsonb)`));
  afterAll(() => sql(`DROP TABLE IF EXISTS ${table}`));

  it('writes a page exactly once: the same page again is skipped', async () => {
    const target = sqlTarget({ table, columns, batchSize: 2 });
    const records = [
      { id: 1, customer: { name: 'Ann' }, tags: ['a', 'b'] },
      { id: 2, customer: {} },
      { id: 3, customer: { name: 'Cy' }, tags: { vip: true } },
    ];
    const key = { runId: randomUUID(), page: 0 };
    expect(await writeImportPage(deps(), target, records, key, { signal: signal() })).toEqual({
      written: 3,
      failures: [],
      alreadyWritten: 0,
    });
    expect(await writeImportPage(deps(), target, records, key, { signal: signal() })).toEqual({
      written: 0,
      failures: [],
      alreadyWritten: 3,
    });
    expect(await sql(`SELECT id, name, doc FROM ${table} ORDER BY id`)).toEqual([
      [1, 'Ann', ['a', 'b']],
      [2, null, null],
      [3, 'Cy', { vip: true }],
    ]);
  });

  it('names the records a constraint refused, writes the others, and upserts on the key', async () => {
    const insert = sqlTarget({ table, columns });
    const outcome = await writeImportPage(
      deps(),
      insert,
      [{ id: 4 }, { id: 1, customer: { name: 'dup' } }, { id: 5 }],
      { runId: randomUUID(), page: 0 },
      { signal: signal() },
    );
    expect(outcome.written).toBe(2);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]?.index).toBe(1);
    expect(outcome.failures[0]?.message).toMatch(/duplicate key value violates unique constraint/);

    const upsert = sqlTarget({ table, columns, mode: 'upsert', keyColumns: ['id'] });
    await writeImportPage(
      deps(),
      upsert,
      [{ id: 1, customer: { name: 'Ann B.' } }],
      { runId: randomUUID(), page: 0 },
      { signal: signal() },
    );
    expect(await sql(`SELECT name FROM ${table} WHERE id = 1`)).toEqual([['Ann B.']]);
  });

  it('fails the run with the database message for a missing table', async () => {
    const error = await failureOf(
      writeImportPage(
        deps(),
        sqlTarget({ table: 'no_such_table', columns }),
        [{ id: 1 }],
        { runId: randomUUID(), page: 0 },
        { signal: signal() },
      ),
    );
    expect(error).toBeInstanceOf(ImportFailure);
    expect(error.message).toMatch(/relation "no_such_table" does not exist/);
  });
});

describe('through an On-premise connection (the real agent runs sql and sql.batch)', () => {
  let agent: AgentProcess;
  let onPremise: ConnectionWithAgent;
  const table = `flow_io_agent_${randomUUID().slice(0, 8)}`;
  const sql = (text: string) => runSqlQuery(deps(), onPremise, { sql: text }).then(drain);

  beforeAll(async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const as = { as: { cookie: owner.cookie } };
    const created = await call(t.app, 'POST', '/v1/agents', { ...as, body: { name: 'LAN agent' } });
    const agentId = created.json().id as string;
    const { token } = (await call(t.app, 'GET', `/v1/agents/${agentId}/token`, as)).json();
    agent = await runAgent(url, token);
    const deadline = Date.now() + 20_000;
    while (!t.app.hub.isOnline(agentId)) {
      if (Date.now() > deadline) throw new Error(`the agent did not come online:\n${agent.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    onPremise = await connection({
      name: 'Warehouse on-premise',
      type: 'POSTGRES',
      mode: 'ON_PREMISE',
      agentId,
      sql: { host: '127.0.0.1', port: 5432, database: 'test', user: 'root', tls: 'disable' },
    });
    await sql(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text)`);
  }, 40_000);
  afterAll(async () => {
    await sql(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await agent?.stop();
  });

  it('writes a page once and reads it back in keyset pages, with no extra settings', async () => {
    const target = {
      import: {
        id: randomUUID(),
        name: 'Agent rows',
        http: null,
        sql: SqlImportSettings.parse({
          table,
          columns: [
            { column: 'id', field: 'id' },
            { column: 'name', field: 'name' },
          ],
          batchSize: 2,
        }),
      },
      connection: onPremise,
    };
    const key = { runId: randomUUID(), page: 0 };
    const records = [...ITEMS, { id: 1, name: 'duplicate' }];
    const first = await writeImportPage(deps(), target, records, key, { signal: signal() });
    expect(first.written).toBe(5);
    expect(first.failures.map((failure) => failure.index)).toEqual([5]);
    const again = await writeImportPage(deps(), target, records, key, { signal: signal() });
    expect(again).toMatchObject({ written: 0, alreadyWritten: 5 });

    const source = {
      export: {
        id: randomUUID(),
        name: 'Agent rows',
        http: null,
        sql: SqlExportSettings.parse({ query: `SELECT id, name FROM ${table}`, keyColumn: 'id' }),
        lastValue: null,
      },
      connection: onPremise,
    };
    const { records: read, pages } = await readAll(source, { pageSize: 2 });
    expect(read).toEqual(ITEMS);
    expect(pages.map((page) => page.lastValue)).toEqual([2, 4, 5]);
  });
});

async function drain(result: { rows?: AsyncIterable<Uint8Array> }): Promise<unknown[][]> {
  let text = '';
  for await (const chunk of result.rows ?? []) text += Buffer.from(chunk).toString();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown[]);
}
