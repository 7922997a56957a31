import { randomBytes } from 'node:crypto';
import { fuzzBudget } from '@outpost/protocol/testing/fuzz';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp, uniqueEmail } from '../helpers.ts';
import { type JsonSchema, type SchemaContext, schemaArbitrary } from './json-schema.ts';
import { anyBody, mutatedBody, type Payload } from './mutations.ts';
import { type FuzzedRoute, fuzzedRoutes } from './rest-routes.ts';
import { tenantDigest } from './tenant-digest.ts';

/**
 * Every `/v1` route with a body, query or path schema under fast-check, sent by the account's
 * owner (session cookie and the CSRF header): any JSON, valid bodies mutated, and any query
 * string and path parameters. Never a 5xx (but 503 `unavailable`: an agent not connected), never a
 * hang, never an unhandled rejection; a validation error names where; a refused request changes
 * none of the account's rows.
 * `OUTPOST_FUZZ_RUNS` runs per route and kind (default 10); `pnpm fuzz` runs more.
 */

/** Runs per route and kind of request: 10 × 3 kinds, 30 requests a route in CI. */
const budget = fuzzBudget(10);
/** A request that takes longer than this hangs. */
const REQUEST_DEADLINE_MS = 15_000;

let t: TestApp;
let owner: SignedUp;
let routes: FuzzedRoute[];
/** The account's own resources by the first segment of their routes (`connections`…). */
const own: Record<string, string[]> = {};
let context: SchemaContext;
const unhandled: unknown[] = [];
const statuses = new Map<number, number>();
/** The account's digest after the last refused request, while nothing has changed it since. */
let lastDigest: Record<string, string> | undefined;
const onUnhandled = (error: unknown) => unhandled.push(error);

async function create(path: string, body: unknown, status = 201): Promise<string> {
  const response = await call(t.app, 'POST', path, { as: { cookie: owner.cookie }, body });
  if (response.statusCode !== status) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  t = await startTestApp();
  // Runs stay queued: the routes are under test, not the runner.
  await t.app.flowRunner.stop();
  owner = await signUp(t.app, { accountName: 'Fuzzed' });
  const accountId = owner.me.account.id;
  // On-premise through an agent that never connects: their requests fail at once, without a network.
  const agent = await create('/v1/agents', { name: 'vm1' });
  const onPremise = { mode: 'ON_PREMISE', agentId: agent };
  const connection = await create('/v1/connections', {
    name: 'shop',
    type: 'HTTP',
    ...onPremise,
    http: { baseUri: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 'secret-token' } },
  });
  const database = await create('/v1/connections', {
    name: 'warehouse',
    type: 'POSTGRES',
    ...onPremise,
    sql: { host: '127.0.0.1', port: 9, database: 'erp', user: 'erp', password: 'secret' },
  });
  const exportId = await create('/v1/exports', {
    name: 'orders',
    connectionId: connection,
    http: { path: '/orders' },
  });
  const importId = await create('/v1/imports', {
    name: 'crm',
    connectionId: connection,
    http: { path: '/customers' },
  });
  const script = await create('/v1/scripts', {
    name: 'mark',
    kind: 'TRANSFORM',
    source: 'function transform(record) { return record; }',
  });
  const flow = await create('/v1/flows', {
    name: 'sync',
    exportId,
    importIds: [importId],
    scriptIds: [script],
  });
  const run = await create(`/v1/flows/${flow}/runs`, {}, 202);
  const member = await create('/v1/members', { email: uniqueEmail('member'), role: 'MANAGE' });
  const token = await create('/v1/api-tokens', { name: 'ci', role: 'MANAGE' });
  const environment = await create('/v1/environments', {
    name: 'Staging',
    slug: `staging-${randomBytes(3).toString('hex')}`,
  });
  const migration = (
    await t.db.accountMigration.create({ data: { accountId, report: { items: [], notes: [] } } })
  ).id;
  Object.assign(own, {
    connections: [connection, database],
    exports: [exportId],
    imports: [importId],
    scripts: [script],
    flows: [flow],
    runs: [run],
    agents: [agent],
    members: [member],
    'api-tokens': [token],
    environments: [environment],
    account: [migration],
  });
  context = { ids: [...Object.values(own).flat(), accountId] };
  routes = await fuzzedRoutes(t.app);
}, 120_000);

afterAll(async () => {
  await t?.close();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Bytes as a URL component: unreserved characters as they are, the rest percent-encoded. */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Path segments and query text a client could send, beyond what `percentEncode` produces. */
const RAW_URL_PARTS = ['%', '%zz', '%00', '%2F', '%2e%2e', '..', '.', '%C0%AF', '%ED%A0%80', '+', ';', '%FF'];

interface Request {
  url: string;
  payload?: Payload;
  label: string;
}

/** The route's path with each parameter replaced. */
function pathOf(route: FuzzedRoute, values: string[]): string {
  let index = 0;
  return route.route.replace(/:(\w+)/g, () => values[index++] ?? '');
}

/** A valid path: the account's own resource (a random id for DELETE, which would remove the fixture). */
function validPath(route: FuzzedRoute): fc.Arbitrary<string> {
  const ids = own[route.route.split('/')[2] ?? ''] ?? [];
  const id = route.method === 'DELETE' || ids.length === 0 ? fc.uuid() : fc.constantFrom(...ids);
  return fc
    .array(id, { minLength: route.params.length, maxLength: route.params.length })
    .map((values) => pathOf(route, values));
}

function validQuery(route: FuzzedRoute): fc.Arbitrary<string> {
  if (route.query.length === 0) return fc.constant('');
  const shape = Object.fromEntries(
    route.query.map((parameter) => [parameter.name, schemaArbitrary(parameter.schema, context)]),
  );
  const required = route.query.filter((parameter) => parameter.required).map((parameter) => parameter.name);
  return fc.record(shape, { requiredKeys: required }).map((query) => {
    const text = Object.entries(query)
      .map(([name, value]) => `${percentEncode(name)}=${percentEncode(String(value))}`)
      .join('&');
    return text ? `?${text}` : '';
  });
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }).map(percentEncode),
  fc.constantFrom(...RAW_URL_PARTS),
  fc.integer({ min: 201, max: 3_000 }).map((length) => 'a'.repeat(length)),
);

/** A query string of the route's parameters and others, repeated, odd or huge; or any text. */
function anyQuery(route: FuzzedRoute): fc.Arbitrary<string> {
  const name = fc.oneof(
    fc.constantFrom(
      ...route.query.map((parameter) => parameter.name),
      '__proto__',
      'constructor',
      'a[b]',
      '',
    ),
    anyText,
  );
  const pair = fc
    .tuple(name, fc.option(anyText, { nil: undefined }))
    .map(([key, value]) => (value === undefined ? key : `${key}=${value}`));
  return fc.oneof(
    fc.array(pair, { maxLength: 6 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : '')),
    anyText.map((text) => `?${text}`),
  );
}

/** Path parameters of any text (the account's own ids too), encoded or raw. */
function anyPath(route: FuzzedRoute): fc.Arbitrary<string> {
  const ids = route.method === 'DELETE' ? [] : (own[route.route.split('/')[2] ?? ''] ?? []);
  const value = fc.oneof(
    anyText,
    fc.uuid().map((uuid) => uuid.toUpperCase()),
    ...(ids.length ? [fc.constantFrom(...ids)] : []),
  );
  return fc
    .array(value, { minLength: route.params.length, maxLength: route.params.length })
    .map((values) => pathOf(route, values));
}

function validBody(route: FuzzedRoute): fc.Arbitrary<unknown> {
  return route.body ? schemaArbitrary(route.body as JsonSchema, context) : fc.constant(undefined);
}

/** The three kinds of request per route. */
function requests(route: FuzzedRoute): Record<string, fc.Arbitrary<Request>> {
  const kinds: Record<string, fc.Arbitrary<Request>> = {
    'any query string and path parameters': fc
      .tuple(anyPath(route), anyQuery(route), validBody(route))
      .map(([path, query, body]) => ({
        url: `${path}${query}`,
        ...(body === undefined ? {} : { payload: { text: JSON.stringify(body), label: 'valid body' } }),
        label: 'any query and path',
      })),
  };
  if (route.body) {
    kinds['any JSON body'] = fc
      .tuple(validPath(route), validQuery(route), anyBody)
      .map(([path, query, payload]) => ({ url: `${path}${query}`, payload, label: payload.label }));
    kinds['valid bodies mutated'] = fc
      .tuple(validPath(route), validQuery(route), mutatedBody(validBody(route)))
      .map(([path, query, payload]) => ({ url: `${path}${query}`, payload, label: payload.label }));
  }
  return kinds;
}

async function send(route: FuzzedRoute, request: Request): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {
    cookie: `outpost_session=${owner.cookie}`,
    'x-outpost-client': 'fuzz',
  };
  if (request.payload) headers['content-type'] = 'application/json';
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms: a hang`)),
      REQUEST_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([
      t.app.inject({
        method: route.method as 'GET',
        url: request.url,
        headers,
        ...(request.payload ? { payload: request.payload.text } : {}),
      }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface ErrorAnswer {
  error?: {
    code?: unknown;
    message?: unknown;
    requestId?: unknown;
    issues?: { path: string; message: string }[];
  };
}

/** One request: sent, answered soundly, and the account untouched if it was refused. */
async function check(route: FuzzedRoute, request: Request): Promise<void> {
  const accountId = owner.me.account.id;
  // A GET changes nothing even when it succeeds; after a refusal the digest is the one before it.
  const changes = route.method !== 'GET';
  const before = changes ? (lastDigest ?? (await tenantDigest(t.db, accountId))) : undefined;
  lastDigest = undefined;
  const response = await send(route, request);
  const where = `${route.method} ${request.url.slice(0, 300)} (${request.label}) → ${response.statusCode} ${response.body.slice(0, 500)}`;
  statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
  // Switching accounts replaces the session: carry on with the new one.
  const renewed = response.cookies.find((cookie) => cookie.name === 'outpost_session' && cookie.value);
  if (renewed) owner.cookie = renewed.value;
  // 503 `unavailable` is an answer, not a crash: a connection's agent is not connected (the
  // fixture's On-premise connection has none running). Any other 5xx is a failure.
  if (response.statusCode === 503)
    expect((response.json() as ErrorAnswer).error?.code, where).toBe('unavailable');
  else expect(response.statusCode, where).toBeLessThan(500);
  expect(unhandled, where).toEqual([]);
  if (response.statusCode < 400) return;
  const answer = response.json() as ErrorAnswer;
  // The owner may do everything: refused for who they are would mean the fuzzer lost its way in.
  expect(['unauthenticated', 'forbidden', 'csrf_failed'], where).not.toContain(answer.error?.code);
  expect(typeof answer.error?.code, where).toBe('string');
  expect(typeof answer.error?.message, where).toBe('string');
  expect(typeof answer.error?.requestId, where).toBe('string');
  if (answer.error?.code === 'validation_failed')
    expect(answer.error.issues?.length, where).toBeGreaterThan(0);
  for (const issue of answer.error?.issues ?? []) expect(issue.path, where).not.toBe('');
  if (!before) return;
  const after = await tenantDigest(t.db, accountId);
  expect(after, `a refused request changed the account: ${where}`).toEqual(before);
  lastDigest = after;
}

describe('every /v1 route with a schema under a REST fuzzer', () => {
  it('finds the routes from the route table, bodies among them', () => {
    const labels = routes.map((route) => `${route.method} ${route.route}`);
    expect(labels).toContain('POST /v1/connections');
    expect(labels).toContain('PATCH /v1/flows/:id');
    expect(labels).toContain('GET /v1/audit-events');
    expect(routes.filter((route) => route.body).length).toBeGreaterThan(20);
  });

  it('sees a change to any of the account rows in its digest (so that "unchanged" means something)', async () => {
    const before = await tenantDigest(t.db, owner.me.account.id);
    const [script] = own.scripts ?? [];
    await t.db.script.update({ where: { id: script }, data: { description: 'seen' } });
    const after = await tenantDigest(t.db, owner.me.account.id);
    expect(after.Script).not.toBe(before.Script);
    expect({ ...after, Script: before.Script }).toEqual(before);
    lastDigest = undefined;
  });

  it(
    'answers every request without a 5xx, a hang or an unhandled rejection, and refusals change nothing',
    async () => {
      let requestsSent = 0;

      for (const route of routes) {
        for (const [kind, arbitrary] of Object.entries(requests(route))) {
          const result = await fc.check(
            fc.asyncProperty(arbitrary, async (request) => {
              requestsSent += 1;
              await check(route, request);
            }),
            budget.parameters(),
          );
          if (result.failed) {
            throw new Error(
              `${route.method} ${route.route}, ${kind}: ${fc.defaultReportMessage(result)}\n${String(result.errorInstance)}`.slice(
                0,
                20_000,
              ),
            );
          }
        }
      }
      // Still answering, for the owner too.
      const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie } });
      expect(me.statusCode).toBe(200);
      expect(unhandled).toEqual([]);
      console.info(
        `REST fuzz (seed ${budget.seed}): ${requestsSent} requests to ${routes.length} routes, by status: ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
    },
    // About 60 routes, 3 kinds, a generous 150 ms a request on a loaded machine.
    budget.timeoutMs(60 * 3 * 150, 120_000),
  );
});

describe('cases the fuzzer found', () => {
  it.each([
    ['a bad percent-encoding in a path parameter', 'GET', '/v1/account/migrations/%'],
    ['a bad percent-encoding in the query', 'GET', '/v1/agents/%zz?x=%'],
    ['a path parameter over the length limit', 'DELETE', `/v1/agents/${'a'.repeat(300)}`],
  ])('answers %s with 400 in the API error shape', async (_case, method, url) => {
    const response = await call(t.app, method, url, { as: { cookie: owner.cookie } });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({
      error: { code: 'bad_request', message: expect.any(String), requestId: expect.any(String) },
    });
  });

  it.each([
    ['a NUL in a name', 'POST', '/v1/api-tokens', { name: '\u0000\u001f' }, 'body.name'],
    [
      'a NUL deep in a body',
      'POST',
      '/v1/scripts',
      { name: 'n', kind: 'FILTER', source: 'x\u0000' },
      'body.source',
    ],
    ['a NUL in the query', 'GET', '/v1/agents?search=a%00b', undefined, 'querystring.search'],
  ])('refuses %s with 400 naming where, and stores nothing', async (_case, method, url, body, path) => {
    const before = await tenantDigest(t.db, owner.me.account.id);
    const response = await call(t.app, method, url, { as: { cookie: owner.cookie }, body });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(response.json().error.issues).toEqual([{ path, message: 'must not contain a NUL character' }]);
    expect(await tenantDigest(t.db, owner.me.account.id)).toEqual(before);
  });
});
