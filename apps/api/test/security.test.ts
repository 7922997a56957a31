import { randomBytes } from 'node:crypto';
import type { Role } from '@outpost/protocol/roles';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../src/context.ts';
import { createSession } from '../src/modules/auth/sessions.ts';
import {
  type CallOptions,
  type Credentials,
  call,
  PASSWORD,
  requestHeaders,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './helpers.ts';
import { registeredRoutes } from './support/route-table.ts';
import { createTenant, SCRIPT_SOURCE, snapshot, type Tenant } from './support/tenant.ts';

/**
 * Every `/v1` route × every way in that must be refused. The first test compares this table with
 * the routes the app registers, so a new route without a case here fails until it gets one.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RouteCase {
  method: Method;
  /** As registered, e.g. `/v1/members/:id`. */
  route: string;
  access: Access;
  /** A valid request against the tenant's own fixtures: valid enough to reach the access check. */
  request(tenant: Tenant): { url: string; body?: unknown; headers?: Record<string, string> };
  /** What a permitted request answers, when not 2xx (the agent socket without an upgrade: 426). */
  okStatus?: number;
  /** Answers with a never-ending event stream: sent over real HTTP and cut after its first bytes. */
  stream?: true;
  /** Names one of the tenant's resources: another tenant must get 404. */
  resource?: true;
  /** For a signed-in person only: an API token gets 400 even when its role allows the route. */
  sessionOnly?: true;
}

const ROUTE_CASES: RouteCase[] = [
  {
    method: 'POST',
    route: '/v1/auth/signup',
    access: 'public',
    request: () => ({
      url: '/v1/auth/signup',
      body: { email: uniqueEmail('signup'), password: PASSWORD, accountName: 'New' },
    }),
  },
  {
    method: 'POST',
    route: '/v1/auth/login',
    access: 'public',
    request: (tenant) => ({ url: '/v1/auth/login', body: { email: tenant.owner.email, password: PASSWORD } }),
  },
  {
    method: 'POST',
    route: '/v1/auth/logout',
    access: 'read',
    sessionOnly: true,
    request: () => ({ url: '/v1/auth/logout' }),
  },
  { method: 'GET', route: '/v1/me', access: 'read', sessionOnly: true, request: () => ({ url: '/v1/me' }) },
  {
    method: 'POST',
    route: '/v1/me/account',
    access: 'read',
    sessionOnly: true,
    resource: true,
    request: (tenant) => ({ url: '/v1/me/account', body: { accountId: tenant.accountId } }),
  },
  { method: 'GET', route: '/v1/environments', access: 'read', request: () => ({ url: '/v1/environments' }) },
  {
    method: 'POST',
    route: '/v1/environments',
    access: 'admin',
    request: () => ({
      url: '/v1/environments',
      body: { name: 'New', slug: `env-${randomBytes(4).toString('hex')}` },
    }),
  },
  {
    method: 'GET',
    route: '/v1/environments/usage',
    access: 'read',
    request: () => ({ url: '/v1/environments/usage' }),
  },
  {
    method: 'PATCH',
    route: '/v1/environments/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/environments/${tenant.environmentId}`, body: { name: 'Renamed' } }),
  },
  {
    method: 'DELETE',
    route: '/v1/environments/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/environments/${tenant.environmentId}` }),
  },
  // A multi-environment account has nothing to migrate: its owner gets 409 already_migrated.
  {
    method: 'GET',
    route: '/v1/account/migrations/preview',
    access: 'owner',
    okStatus: 409,
    request: () => ({ url: '/v1/account/migrations/preview' }),
  },
  {
    method: 'POST',
    route: '/v1/account/migrations',
    access: 'owner',
    okStatus: 409,
    request: () => ({ url: '/v1/account/migrations' }),
  },
  {
    method: 'GET',
    route: '/v1/account/migrations',
    access: 'admin',
    request: () => ({ url: '/v1/account/migrations' }),
  },
  {
    method: 'GET',
    route: '/v1/account/migrations/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/account/migrations/${tenant.migrationId}` }),
  },
  { method: 'GET', route: '/v1/members', access: 'read', request: () => ({ url: '/v1/members' }) },
  {
    method: 'POST',
    route: '/v1/members',
    access: 'admin',
    request: () => ({ url: '/v1/members', body: { email: uniqueEmail('added'), role: 'MONITOR' } }),
  },
  {
    method: 'PATCH',
    route: '/v1/members/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/members/${tenant.bystander.memberId}`, body: { role: 'ADMIN' } }),
  },
  {
    method: 'DELETE',
    route: '/v1/members/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/members/${tenant.bystander.memberId}` }),
  },
  { method: 'GET', route: '/v1/api-tokens', access: 'admin', request: () => ({ url: '/v1/api-tokens' }) },
  {
    method: 'POST',
    route: '/v1/api-tokens',
    access: 'admin',
    request: () => ({ url: '/v1/api-tokens', body: { name: `new ${randomBytes(4).toString('hex')}` } }),
  },
  {
    method: 'GET',
    route: '/v1/api-tokens/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/api-tokens/${tenant.targetToken.id}` }),
  },
  {
    method: 'PATCH',
    route: '/v1/api-tokens/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({
      url: `/v1/api-tokens/${tenant.targetToken.id}`,
      body: { name: 'renamed', role: 'ADMIN' },
    }),
  },
  {
    method: 'DELETE',
    route: '/v1/api-tokens/:id',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/api-tokens/${tenant.targetToken.id}` }),
  },
  {
    method: 'GET',
    route: '/v1/api-tokens/:id/token',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/api-tokens/${tenant.targetToken.id}/token` }),
  },
  {
    method: 'POST',
    route: '/v1/api-tokens/:id/token',
    access: 'admin',
    resource: true,
    request: (tenant) => ({ url: `/v1/api-tokens/${tenant.targetToken.id}/token` }),
  },
  {
    method: 'GET',
    route: '/v1/audit-events',
    access: 'admin',
    request: () => ({ url: '/v1/audit-events?limit=200' }),
  },
  { method: 'GET', route: '/v1/agents', access: 'read', request: () => ({ url: '/v1/agents' }) },
  {
    method: 'POST',
    route: '/v1/agents',
    access: 'manage',
    request: () => ({ url: '/v1/agents', body: { name: `agent ${randomBytes(4).toString('hex')}` } }),
  },
  {
    method: 'GET',
    route: '/v1/agents/:id',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}` }),
  },
  {
    method: 'PATCH',
    route: '/v1/agents/:id',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}`, body: { description: 'changed' } }),
  },
  {
    method: 'DELETE',
    route: '/v1/agents/:id',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}` }),
  },
  {
    method: 'GET',
    route: '/v1/agents/:id/token',
    access: 'tokens',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}/token` }),
  },
  {
    method: 'POST',
    route: '/v1/agents/:id/token',
    access: 'tokens',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}/token` }),
  },
  {
    method: 'GET',
    route: '/v1/agents/:id/download',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/agents/${tenant.agent.id}/download?os=linux` }),
  },
  {
    method: 'GET',
    route: '/v1/agent-downloads',
    access: 'read',
    request: () => ({ url: '/v1/agent-downloads' }),
  },
  {
    method: 'GET',
    route: '/v1/agents/events',
    access: 'read',
    stream: true,
    request: () => ({ url: '/v1/agents/events' }),
  },
  {
    method: 'GET',
    route: '/v1/agent/connect',
    access: 'public',
    okStatus: 426,
    request: (tenant) => ({
      url: '/v1/agent/connect',
      headers: { authorization: `Bearer ${tenant.agent.token}` },
    }),
  },
  {
    method: 'GET',
    route: '/v1/agent/bundle',
    access: 'public',
    request: (tenant) => ({
      url: '/v1/agent/bundle',
      headers: { authorization: `Bearer ${tenant.agent.token}` },
    }),
  },
];

const CONNECTION_CASES: RouteCase[] = [
  { method: 'GET', route: '/v1/connections', access: 'read', request: () => ({ url: '/v1/connections' }) },
  {
    method: 'POST',
    route: '/v1/connections',
    access: 'manage',
    request: () => ({
      url: '/v1/connections',
      body: {
        name: `connection ${randomBytes(4).toString('hex')}`,
        type: 'HTTP',
        http: { baseUri: 'https://api.example.invalid', auth: { type: 'bearer', token: 'new-secret-token' } },
      },
    }),
  },
  {
    method: 'GET',
    route: '/v1/connections/:id',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/connections/${tenant.connection.id}` }),
  },
  {
    method: 'PATCH',
    route: '/v1/connections/:id',
    access: 'manage',
    resource: true,
    request: (tenant) => ({
      url: `/v1/connections/${tenant.connection.id}`,
      body: { name: 'renamed connection' },
    }),
  },
  {
    method: 'DELETE',
    route: '/v1/connections/:id',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/connections/${tenant.connection.id}` }),
  },
  {
    method: 'POST',
    route: '/v1/connections/:id/test',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/connections/${tenant.connection.id}/test` }),
  },
  {
    method: 'POST',
    route: '/v1/connections/:id/http',
    access: 'manage',
    resource: true,
    // The tenant's connection has no OAuth token yet (and an unreachable host): the request is
    // let through and answered 503 with the reason, not refused.
    okStatus: 503,
    request: (tenant) => ({
      url: `/v1/connections/${tenant.connection.id}/http`,
      body: { method: 'GET', path: '/orders' },
    }),
  },
  {
    method: 'POST',
    route: '/v1/connections/:id/query',
    access: 'manage',
    resource: true,
    // The tenant's connection is an HTTP one: let through, and answered 400 for that.
    okStatus: 400,
    request: (tenant) => ({
      url: `/v1/connections/${tenant.connection.id}/query`,
      body: { sql: 'SELECT 1' },
    }),
  },
  {
    method: 'GET',
    route: '/v1/connections/:id/oauth/authorize',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/connections/${tenant.connection.id}/oauth/authorize` }),
  },
  {
    method: 'GET',
    route: '/v1/oauth/callback',
    access: 'public',
    // Without a state of a Connect in progress there is nothing to finish.
    okStatus: 400,
    request: () => ({ url: '/v1/oauth/callback?state=no-such-state&code=x' }),
  },
];
ROUTE_CASES.push(...CONNECTION_CASES);

/** List, create, show, change, delete: the same five routes for exports, imports, scripts, flows. */
function resourceCases(
  path: string,
  target: (tenant: Tenant) => string,
  create: (tenant: Tenant) => Record<string, unknown>,
  change: Record<string, unknown>,
): RouteCase[] {
  const fresh = () => randomBytes(4).toString('hex');
  return [
    { method: 'GET', route: `/v1/${path}`, access: 'read', request: () => ({ url: `/v1/${path}` }) },
    {
      method: 'POST',
      route: `/v1/${path}`,
      access: 'manage',
      request: (tenant) => ({ url: `/v1/${path}`, body: { name: `new ${fresh()}`, ...create(tenant) } }),
    },
    {
      method: 'GET',
      route: `/v1/${path}/:id`,
      access: 'read',
      resource: true,
      request: (tenant) => ({ url: `/v1/${path}/${target(tenant)}` }),
    },
    {
      method: 'PATCH',
      route: `/v1/${path}/:id`,
      access: 'manage',
      resource: true,
      request: (tenant) => ({ url: `/v1/${path}/${target(tenant)}`, body: change }),
    },
    {
      method: 'DELETE',
      route: `/v1/${path}/:id`,
      access: 'manage',
      resource: true,
      request: (tenant) => ({ url: `/v1/${path}/${target(tenant)}` }),
    },
  ];
}

const INTEGRATION_CASES: RouteCase[] = [
  ...resourceCases(
    'exports',
    (tenant) => tenant.integration.export,
    (tenant) => ({ connectionId: tenant.integration.connection, http: { path: '/orders' } }),
    { description: 'changed' },
  ),
  ...resourceCases(
    'imports',
    (tenant) => tenant.integration.import,
    (tenant) => ({ connectionId: tenant.integration.connection, http: { path: '/orders' } }),
    { description: 'changed' },
  ),
  ...resourceCases(
    'scripts',
    (tenant) => tenant.integration.script,
    () => ({ kind: 'TRANSFORM', source: SCRIPT_SOURCE }),
    { description: 'changed' },
  ),
  {
    method: 'POST',
    route: '/v1/scripts/check',
    access: 'manage',
    request: () => ({
      url: '/v1/scripts/check',
      body: { kind: 'FILTER', source: 'function filter(r) { return true; }' },
    }),
  },
  ...resourceCases(
    'flows',
    (tenant) => tenant.integration.flow,
    (tenant) => ({ exportId: tenant.integration.flowExport, importIds: [tenant.integration.flowImport] }),
    { description: 'changed', schedule: '0 6 * * 1-5', timezone: 'Europe/Berlin' },
  ),
  {
    method: 'POST',
    route: '/v1/flows/:id/runs',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/flows/${tenant.integration.flow}/runs` }),
  },
  {
    method: 'GET',
    route: '/v1/flows/:id/runs',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/flows/${tenant.integration.runFlow}/runs` }),
  },
  { method: 'GET', route: '/v1/runs', access: 'read', request: () => ({ url: '/v1/runs' }) },
  {
    method: 'GET',
    route: '/v1/runs/:id',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/runs/${tenant.integration.run}` }),
  },
  {
    method: 'GET',
    route: '/v1/runs/:id/errors',
    access: 'read',
    resource: true,
    request: (tenant) => ({ url: `/v1/runs/${tenant.integration.run}/errors` }),
  },
  {
    method: 'POST',
    route: '/v1/runs/:id/cancel',
    access: 'manage',
    resource: true,
    request: (tenant) => ({ url: `/v1/runs/${tenant.integration.run}/cancel` }),
  },
];
ROUTE_CASES.push(...INTEGRATION_CASES);

const ROLES_ALLOWED: Record<Access, Role[]> = {
  public: ['OWNER', 'ADMIN', 'MANAGE', 'MONITOR'],
  read: ['OWNER', 'ADMIN', 'MANAGE', 'MONITOR'],
  manage: ['OWNER', 'ADMIN', 'MANAGE'],
  tokens: ['OWNER', 'ADMIN', 'MANAGE'],
  admin: ['OWNER', 'ADMIN'],
  owner: ['OWNER'],
};
const allows = (routeCase: RouteCase, role: Role) => ROLES_ALLOWED[routeCase.access].includes(role);

const label = (routeCase: RouteCase) => `${routeCase.method} ${routeCase.route}`;
const guarded = ROUTE_CASES.filter((routeCase) => routeCase.access !== 'public');
const stateChanging = ROUTE_CASES.filter((routeCase) => routeCase.method !== 'GET');

let t: TestApp;
/** The account under attack. */
let victim: Tenant;
/** Another account, whose owner and tokens try the victim's ids. */
let attacker: Tenant;

let baseUrl: string;

beforeAll(async () => {
  t = await startTestApp();
  // Runs stay as the routes leave them (queued): the routes are what this file tests, not the runner.
  await t.app.flowRunner.stop();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  victim = await createTenant(t.app, t.db);
  attacker = await createTenant(t.app, t.db);
});
afterAll(() => t.close());

/** A new session of the tenant's member with this role (for requests that sign out or switch). */
async function freshSession(tenant: Tenant, role: Role): Promise<Credentials> {
  const { cookie } = await createSession(t.db, {
    userId: tenant.users[role],
    accountId: tenant.accountId,
    ipAddress: '127.0.0.1',
    userAgent: 'test',
  });
  return { cookie };
}

type Answer = Pick<LightMyRequestResponse, 'statusCode' | 'body' | 'json'>;

function send(
  routeCase: RouteCase,
  tenant: Tenant,
  as: Credentials,
  options: Partial<CallOptions> = {},
): Promise<Answer> {
  const { url, body, headers } = routeCase.request(tenant);
  const merged = { as, body, ...options, headers: { ...headers, ...options.headers } };
  return routeCase.stream ? sendOverHttp(url, merged) : call(t.app, routeCase.method, url, merged);
}

/** A GET over a real socket, cut after the first bytes: for responses that never end. */
async function sendOverHttp(url: string, options: CallOptions): Promise<Answer> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${url}`, {
    headers: requestHeaders(options),
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  const first = await reader?.read();
  controller.abort();
  const body = first?.value ? Buffer.from(first.value).toString() : '';
  return { statusCode: response.status, body, json: () => JSON.parse(body) };
}

function expectNoSecrets(response: Answer, of: Tenant) {
  for (const secret of of.secrets) expect(response.body, `the answer names ${secret}`).not.toContain(secret);
}

/** Sends the request, expects it refused with `status`, and checks that the victim is untouched. */
async function expectRefused(
  routeCase: RouteCase,
  as: Credentials,
  status: number,
  options: { code?: string; target?: Tenant; headers?: Record<string, string> } = {},
) {
  const before = await snapshot(t.db, victim.accountId);
  const response = await send(routeCase, options.target ?? victim, as, { headers: options.headers ?? {} });
  expect(response.statusCode, `${label(routeCase)}: ${response.body}`).toBe(status);
  if (options.code) expect(response.json().error.code).toBe(options.code);
  expectNoSecrets(response, victim);
  expect(await snapshot(t.db, victim.accountId)).toEqual(before);
  return response;
}

describe('the route table', () => {
  it('has exactly one case for every /v1 route the app registers', () => {
    const registered = registeredRoutes(t.app).filter((route) => route.split(' ')[1]?.startsWith('/v1/'));
    const cased = ROUTE_CASES.map(label);
    expect(registered).toContain('PATCH /v1/members/:id');
    expect(new Set(cased).size, 'a route has two cases').toBe(cased.length);
    expect(
      registered.filter((route) => !cased.includes(route)),
      'registered routes without a security case: add them to ROUTE_CASES',
    ).toEqual([]);
    expect(
      cased.filter((route) => !registered.includes(route)),
      'security cases for routes that do not exist',
    ).toEqual([]);
  });

  it('every /v1 route is documented in the OpenAPI document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const paths = response.json().paths as Record<string, Record<string, unknown>>;
    for (const routeCase of ROUTE_CASES) {
      const documented = paths[routeCase.route.replace(/:(\w+)/g, '{$1}')];
      expect(documented?.[routeCase.method.toLowerCase()], label(routeCase)).toBeDefined();
    }
  });
});

describe('a fresh account can use every route (so that the refusals below mean something)', () => {
  for (const role of ['OWNER', 'MANAGE', 'MONITOR'] as const) {
    const cases = ROUTE_CASES.filter((routeCase) => routeCase.access !== 'public' && allows(routeCase, role));
    it.each(cases.map((routeCase) => [label(routeCase), routeCase] as const))(
      `%s as ${role}`,
      async (_, routeCase) => {
        const tenant = await createTenant(t.app, t.db);
        const response = await send(routeCase, tenant, { cookie: tenant.sessions[role] });
        if (routeCase.okStatus) expect(response.statusCode, response.body).toBe(routeCase.okStatus);
        else {
          expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
          expect(response.statusCode, response.body).toBeLessThan(300);
        }
      },
    );
  }

  it.each(
    ROUTE_CASES.filter((routeCase) => routeCase.access === 'public').map(
      (routeCase) => [label(routeCase), routeCase] as const,
    ),
  )('%s without signing in', async (_, routeCase) => {
    const response = await send(routeCase, victim, undefined);
    if (routeCase.okStatus) expect(response.statusCode, response.body).toBe(routeCase.okStatus);
    else expect(response.statusCode, response.body).toBeLessThan(300);
  });
});

describe.each(guarded.map((routeCase) => [label(routeCase), routeCase] as const))('%s', (_, routeCase) => {
  it('answers 401 without a session or token', async () => {
    await expectRefused(routeCase, undefined, 401, { code: 'unauthenticated' });
  });

  it('answers 401 for an API token replaced by Generate token', async () => {
    await expectRefused(routeCase, { apiToken: victim.revokedToken }, 401, { code: 'unauthenticated' });
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const wellFormed = victim.adminToken.token;
    const malformed = [
      `Bearer ${wellFormed.slice(0, -1)}${wellFormed.endsWith('A') ? 'B' : 'A'}`, // bad checksum
      `Bearer opa_${wellFormed.slice(4)}`, // an agent token's prefix
      'Bearer not-a-token',
      `Basic ${Buffer.from(`${victim.owner.email}:${PASSWORD}`).toString('base64')}`,
      'Bearer',
    ];
    for (const authorization of malformed) {
      await expectRefused(routeCase, undefined, 401, { code: 'unauthenticated', headers: { authorization } });
    }
  });

  if (!allows(routeCase, 'MONITOR')) {
    it('answers 403 to a MONITOR member and a MONITOR API token', async () => {
      await expectRefused(routeCase, { cookie: victim.sessions.MONITOR }, 403, { code: 'forbidden' });
      await expectRefused(routeCase, { apiToken: victim.monitorToken.token }, 403, { code: 'forbidden' });
    });
  }

  if (!allows(routeCase, 'MANAGE')) {
    it('answers 403 to a MANAGE member', async () => {
      await expectRefused(routeCase, { cookie: victim.sessions.MANAGE }, 403, { code: 'forbidden' });
    });
  }

  if (routeCase.resource) {
    it("answers 404 to another account's OWNER using this account's ids", async () => {
      const response = await expectRefused(routeCase, await freshSession(attacker, 'OWNER'), 404, {
        code: 'not_found',
      });
      expect(response.json()).not.toHaveProperty('token');
    });

    if (!routeCase.sessionOnly) {
      it("answers 404 to another account's ADMIN API token using this account's ids", async () => {
        await expectRefused(routeCase, { apiToken: attacker.adminToken.token }, 404, { code: 'not_found' });
      });
    }
  } else {
    it("shows another account's OWNER nothing of this account", async () => {
      const before = await snapshot(t.db, victim.accountId);
      const response = await send(routeCase, attacker, await freshSession(attacker, 'OWNER'));
      if (routeCase.okStatus) expect(response.statusCode, response.body).toBe(routeCase.okStatus);
      else expect(response.statusCode, response.body).toBeLessThan(300);
      expectNoSecrets(response, victim);
      expect(await snapshot(t.db, victim.accountId)).toEqual(before);
    });
  }
});

describe.each(stateChanging.map((routeCase) => [label(routeCase), routeCase] as const))(
  '%s from a browser',
  (_, routeCase) => {
    it('answers 403 csrf_failed to a cookie request without x-outpost-client, and changes nothing', async () => {
      const before = await snapshot(t.db, victim.accountId);
      const { url, body } = routeCase.request(victim);
      const response = await t.app.inject({
        method: routeCase.method,
        url,
        headers: { cookie: `outpost_session=${victim.owner.cookie}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('csrf_failed');
      expectNoSecrets(response, victim);
      expect(await snapshot(t.db, victim.accountId)).toEqual(before);
    });
  },
);
