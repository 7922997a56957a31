import { randomBytes } from 'node:crypto';
import type { License } from '@outpost/protocol/rest/accounts';
import type { CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallOptions,
  type Credentials,
  call,
  createApiToken,
  startTestApp,
  type TestApp,
} from './helpers.ts';
import { connectLightAgent } from './light-agent.ts';
import { registeredRoutes } from './support/route-table.ts';
import { createIntegration, createTenant, snapshot, type Tenant } from './support/tenant.ts';

/**
 * Two tenants — one multi-environment, one legacy (whose Production and Sandbox share one scope) —
 * each with every resource type in both environments. Every registered route that names a
 * resource is called by every member role (cookie, in each environment) and every API token role
 * of each environment (without and with the environment header set to the target's), with the ids
 * of the OTHER side: the other tenant, or the other environment of a multi-environment tenant.
 * Nothing crosses: never a 2xx or 5xx, never a string of the other side in an answer, and no row
 * of either tenant changes. Lists and bodies that reference the other side's ids are swept too,
 * and the agent hub: one agent's token never acts as another agent.
 */

const ENVIRONMENTS = ['production', 'sandbox'] as const;
type Slug = (typeof ENVIRONMENTS)[number];
const TOKEN_ROLES = ['ADMIN', 'MANAGE', 'MONITOR'] as const;

/** One environment's resources of a tenant, and the strings that identify them. */
interface Slice {
  slug: Slug;
  agent: { id: string; token: string };
  connection: { id: string; secret: string };
  tokens: Record<(typeof TOKEN_ROLES)[number], CreatedApiToken>;
  integration: Tenant['integration'];
  secrets: string[];
}

interface SweptTenant {
  license: License;
  base: Tenant;
  slices: Record<Slug, Slice>;
}

let t: TestApp;
let multi: SweptTenant;
let legacy: SweptTenant;
let baseUrl: string;

async function createSlice(tenant: Tenant, slug: Slug): Promise<Slice> {
  const marker = `slice-${randomBytes(5).toString('hex')}`;
  const named = (what: string) => `${marker} ${what}`;
  const as = { cookie: tenant.owner.cookie };
  const options = { as, environment: slug };
  const agent = await call(t.app, 'POST', '/v1/agents', { ...options, body: { name: named('agent') } });
  expect(agent.statusCode, agent.body).toBe(201);
  const agentToken = (await call(t.app, 'GET', `/v1/agents/${agent.json().id}/token`, options)).json().token;
  const secret = `bearer-${randomBytes(12).toString('hex')}`;
  const connection = await call(t.app, 'POST', '/v1/connections', {
    ...options,
    body: {
      name: named('connection'),
      type: 'HTTP',
      http: { baseUri: 'https://erp.example.invalid', auth: { type: 'bearer', token: secret } },
    },
  });
  expect(connection.statusCode, connection.body).toBe(201);
  const tokens = {} as Slice['tokens'];
  for (const role of TOKEN_ROLES)
    tokens[role] = await createApiToken(t.app, as, { name: named(`${role} token`), role, environment: slug });
  const integration = await createIntegration(t.app, as, named, slug);
  return {
    slug,
    agent: { id: agent.json().id, token: agentToken },
    connection: { id: connection.json().id, secret },
    tokens,
    integration,
    secrets: [
      marker,
      agent.json().id,
      agentToken,
      connection.json().id,
      secret,
      ...Object.values(tokens).flatMap((token) => [token.id, token.token]),
      ...Object.values(integration),
    ],
  };
}

async function createSweptTenant(license: License): Promise<SweptTenant> {
  const base = await createTenant(t.app, t.db, { license });
  return {
    license,
    base,
    slices: {
      production: await createSlice(base, 'production'),
      sandbox: await createSlice(base, 'sandbox'),
    },
  };
}

beforeAll(async () => {
  t = await startTestApp();
  // Runs stay queued: the routes are under test here, not the runner.
  await t.app.flowRunner.stop();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  multi = await createSweptTenant('MULTI_ENV');
  legacy = await createSweptTenant('LEGACY');
}, 60_000);
afterAll(() => t.close());

/** Where the caller stands, and what it must never see or touch. */
interface Side {
  tenant: SweptTenant;
  slug: Slug;
}

/** The other sides a caller must not reach: the other tenant's environments, and its own other environment unless the tenant is legacy (one shared scope). */
function targetsOf(caller: Side): { side: Side; sameTenant: boolean }[] {
  const other = caller.tenant === multi ? legacy : multi;
  const targets = ENVIRONMENTS.map((slug) => ({ side: { tenant: other, slug }, sameTenant: false }));
  if (caller.tenant.license === 'MULTI_ENV') {
    const slug = caller.slug === 'production' ? 'sandbox' : 'production';
    targets.push({ side: { tenant: caller.tenant, slug }, sameTenant: true });
  }
  return targets;
}

/** The strings of a target side that must never reach the caller. */
function secretsOf(target: Side, sameTenant: boolean): string[] {
  const slice = target.tenant.slices[target.slug].secrets;
  if (sameTenant) return slice;
  return [
    ...target.tenant.base.secrets,
    ...ENVIRONMENTS.flatMap((slug) => target.tenant.slices[slug].secrets),
  ];
}

interface Caller {
  label: string;
  as: Credentials;
  /** Environment header sent (cookie: the caller's environment; token: none or the target's). */
  environment?: string;
  /** OWNER cookies and ADMIN tokens (without a header) may use every resource route: they must get 404. */
  expect404: boolean;
}

function callersOf(caller: Side, target: Side): Caller[] {
  const { base, slices } = caller.tenant;
  const callers: Caller[] = (['OWNER', 'ADMIN', 'MANAGE', 'MONITOR'] as Role[]).map((role) => ({
    label: `${role} cookie in ${caller.slug}`,
    as: { cookie: base.sessions[role] },
    environment: caller.slug,
    expect404: role === 'OWNER',
  }));
  for (const role of TOKEN_ROLES) {
    const token = slices[caller.slug].tokens[role].token;
    callers.push({
      label: `${role} token of ${caller.slug}`,
      as: { apiToken: token },
      expect404: role === 'ADMIN',
    });
    callers.push({
      label: `${role} token of ${caller.slug} with environment ${target.slug}`,
      as: { apiToken: token },
      environment: target.slug,
      expect404: false,
    });
  }
  return callers;
}

/** A valid request naming the target's resource: valid, so that it reaches the look-up. */
interface ResourceRoute {
  method: string;
  route: string;
  /** Account-wide resources (members, environments, migrations): only another tenant's are foreign. */
  accountWide?: true;
  url(target: Side): string;
  body?: unknown;
}

const resourceOf: Record<string, (target: Side) => string> = {
  environments: ({ tenant }) => tenant.base.environmentId,
  'account/migrations': ({ tenant }) => tenant.base.migrationId,
  members: ({ tenant }) => tenant.base.bystander.memberId,
  'api-tokens': ({ tenant, slug }) => tenant.slices[slug].tokens.MANAGE.id,
  agents: ({ tenant, slug }) => tenant.slices[slug].agent.id,
  connections: ({ tenant, slug }) => tenant.slices[slug].connection.id,
  exports: ({ tenant, slug }) => tenant.slices[slug].integration.export,
  imports: ({ tenant, slug }) => tenant.slices[slug].integration.import,
  scripts: ({ tenant, slug }) => tenant.slices[slug].integration.script,
  flows: ({ tenant, slug }) => tenant.slices[slug].integration.flow,
  runs: ({ tenant, slug }) => tenant.slices[slug].integration.run,
};
const ACCOUNT_WIDE = new Set(['environments', 'account/migrations', 'members']);

const BODIES: Record<string, unknown> = {
  'PATCH /v1/environments/:id': { name: 'Renamed' },
  'PATCH /v1/members/:id': { role: 'ADMIN' },
  'PATCH /v1/api-tokens/:id': { name: 'renamed' },
  'PATCH /v1/agents/:id': { description: 'changed' },
  'PATCH /v1/connections/:id': { name: 'renamed' },
  'POST /v1/connections/:id/http': { method: 'GET', path: '/orders' },
  'POST /v1/connections/:id/query': { sql: 'SELECT 1' },
  'PATCH /v1/exports/:id': { description: 'changed' },
  'PATCH /v1/imports/:id': { description: 'changed' },
  'PATCH /v1/scripts/:id': { description: 'changed' },
  'PATCH /v1/flows/:id': { description: 'changed' },
};

function resourceRoutes(): ResourceRoute[] {
  const routes = registeredRoutes(t.app).filter((route) => route.includes('/:id'));
  return routes.map((entry) => {
    const [method = '', route = ''] = entry.split(' ');
    const kind = Object.keys(resourceOf).find((prefix) => route.startsWith(`/v1/${prefix}/:id`));
    if (!kind) throw new Error(`${entry}: no resource in the isolation sweep; add it to resourceOf`);
    const idOf = resourceOf[kind] as (target: Side) => string;
    // A flow's runs: the flow that has one.
    const id =
      route === '/v1/flows/:id/runs'
        ? (target: Side) => target.tenant.slices[target.slug].integration.runFlow
        : idOf;
    return {
      method,
      route,
      ...(ACCOUNT_WIDE.has(kind) ? { accountWide: true as const } : {}),
      url: (target: Side) =>
        route.replace(':id', id(target)) + (route === '/v1/agents/:id/download' ? '?os=linux' : ''),
      ...(BODIES[entry] === undefined ? {} : { body: BODIES[entry] }),
    };
  });
}

function send(method: string, url: string, caller: Caller, body?: unknown): Promise<LightMyRequestResponse> {
  const options: CallOptions = {
    as: caller.as,
    ...(caller.environment ? { environment: caller.environment } : {}),
  };
  return call(t.app, method, url, { ...options, ...(body === undefined ? {} : { body }) });
}

function expectNothingOf(response: LightMyRequestResponse, secrets: string[], context: string) {
  expectNothingOfText(`${response.body}\n${JSON.stringify(response.headers)}`, secrets, context);
}

function expectNothingOfText(text: string, secrets: string[], context: string) {
  for (const secret of secrets)
    expect(text.includes(secret), `${context}: the answer names ${secret}`).toBe(false);
}

const everyone = () => [multi.base.accountId, legacy.base.accountId];
async function snapshotAll() {
  return Promise.all(everyone().map((accountId) => snapshot(t.db, accountId)));
}

const sides = (): Side[] =>
  [multi, legacy].flatMap((tenant) => ENVIRONMENTS.map((slug) => ({ tenant, slug })));
const sideLabel = (side: Side) => `${side.tenant.license} ${side.slug}`;

describe('the isolation sweep', () => {
  it('no route that names a resource answers, changes or shows another tenant or environment', async () => {
    const before = await snapshotAll();
    const routes = resourceRoutes();
    expect(routes.length).toBeGreaterThan(30);
    let requests = 0;
    let notFound = 0;
    for (const caller of sides()) {
      for (const { side: target, sameTenant } of targetsOf(caller)) {
        const secrets = secretsOf(target, sameTenant);
        for (const route of routes) {
          if (sameTenant && route.accountWide) continue;
          const url = route.url(target);
          for (const who of callersOf(caller, target)) {
            const context = `${route.method} ${route.route} by ${sideLabel(caller)} ${who.label} at ${sideLabel(target)}`;
            const response = await send(route.method, url, who, route.body);
            requests += 1;
            if (response.statusCode === 404) notFound += 1;
            if (who.expect404) expect(response.statusCode, `${context}: ${response.body}`).toBe(404);
            else
              expect([403, 404], `${context}: ${response.statusCode} ${response.body}`).toContain(
                response.statusCode,
              );
            expectNothingOf(response, secrets, context);
          }
        }
      }
    }
    expect(await snapshotAll()).toEqual(before);
    expect(notFound).toBeGreaterThan(requests / 3);
  }, 120_000);

  it("lists show only the caller's own tenant and environment", async () => {
    const lists = registeredRoutes(t.app)
      .filter((entry) => entry.startsWith('GET /v1/') && !entry.includes(':'))
      .map((entry) => entry.slice('GET '.length))
      .filter(
        (route) =>
          !['/v1/agents/events', '/v1/agent/connect', '/v1/agent/bundle', '/v1/oauth/callback'].includes(
            route,
          ),
      );
    const scoped = new Set([
      '/v1/agents',
      '/v1/api-tokens',
      '/v1/connections',
      '/v1/exports',
      '/v1/imports',
      '/v1/scripts',
      '/v1/flows',
      '/v1/runs',
    ]);
    expect(lists).toEqual(expect.arrayContaining([...scoped, '/v1/members', '/v1/audit-events']));
    for (const caller of sides()) {
      for (const { side: target, sameTenant } of targetsOf(caller)) {
        const secrets = secretsOf(target, sameTenant);
        for (const route of lists) {
          if (sameTenant && !scoped.has(route)) continue;
          for (const who of callersOf(caller, target)) {
            const url = route === '/v1/audit-events' ? '/v1/audit-events?limit=200' : route;
            const response = await send('GET', url, who);
            expect(response.statusCode, `${route} ${who.label}: ${response.body}`).toBeLessThan(500);
            expectNothingOf(response, secrets, `GET ${route} by ${sideLabel(caller)} ${who.label}`);
          }
        }
      }
    }
  }, 60_000);

  it('bodies naming the other side’s ids are refused and create or change nothing', async () => {
    const before = await snapshotAll();
    for (const caller of sides()) {
      const own = caller.tenant.slices[caller.slug].integration;
      const as = { cookie: caller.tenant.base.owner.cookie };
      for (const { side: target, sameTenant } of targetsOf(caller)) {
        const foreign = target.tenant.slices[target.slug];
        const name = `crossing ${randomBytes(3).toString('hex')}`;
        const http = { path: '/orders' };
        const attempts: [string, string, unknown][] = [
          ['POST', '/v1/exports', { name, connectionId: foreign.connection.id, http }],
          ['POST', '/v1/imports', { name, connectionId: foreign.connection.id, http }],
          [
            'POST',
            '/v1/flows',
            { name, exportId: foreign.integration.flowExport, importIds: [own.flowImport] },
          ],
          [
            'POST',
            '/v1/flows',
            { name, exportId: own.flowExport, importIds: [foreign.integration.flowImport] },
          ],
          [
            'POST',
            '/v1/flows',
            {
              name,
              exportId: own.flowExport,
              importIds: [own.flowImport],
              scriptIds: [foreign.integration.script],
            },
          ],
          ['PATCH', `/v1/exports/${own.export}`, { connectionId: foreign.connection.id }],
          ['PATCH', `/v1/imports/${own.import}`, { connectionId: foreign.connection.id }],
          ['PATCH', `/v1/flows/${own.flow}`, { exportId: foreign.integration.export }],
          ['PATCH', `/v1/flows/${own.flow}`, { importIds: [foreign.integration.import] }],
        ];
        if (!sameTenant)
          attempts.push(['POST', '/v1/me/account', { accountId: target.tenant.base.accountId }]);
        for (const [method, url, body] of attempts) {
          const response = await call(t.app, method, url, { as, environment: caller.slug, body });
          const context = `${method} ${url} ${JSON.stringify(body)} by ${sideLabel(caller)} at ${sideLabel(target)}`;
          expect([404, 422], `${context}: ${response.statusCode} ${response.body}`).toContain(
            response.statusCode,
          );
          expectNothingOf(response, secretsOf(target, sameTenant), context);
        }
      }
    }
    expect(await snapshotAll()).toEqual(before);
  }, 60_000);
});

describe('the live agent events', () => {
  it("a stream shows only its own environment's agents, whatever changes elsewhere", async () => {
    for (const caller of sides()) {
      const own = caller.tenant.slices[caller.slug].agent.id;
      const controller = new AbortController();
      const response = await fetch(`${baseUrl}/v1/agents/events`, {
        headers: {
          cookie: `outpost_session=${caller.tenant.base.sessions.MONITOR}`,
          'x-outpost-environment': caller.slug,
        },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      if (!reader) throw new Error('no stream');
      // Change every other side's agents first, then the caller's own: its event ends the wait.
      for (const { side } of targetsOf(caller)) {
        const changed = await call(t.app, 'PATCH', `/v1/agents/${side.tenant.slices[side.slug].agent.id}`, {
          as: { cookie: side.tenant.base.owner.cookie },
          environment: side.slug,
          body: { description: `changed ${randomBytes(3).toString('hex')}` },
        });
        expect(changed.statusCode, changed.body).toBe(200);
      }
      // Twice, one after the other: by the second, anything sent about the others has arrived.
      let received = '';
      const mentions = () => received.split(own).length - 1;
      for (const round of [1, 2]) {
        const mine = await call(t.app, 'PATCH', `/v1/agents/${own}`, {
          as: { cookie: caller.tenant.base.owner.cookie },
          environment: caller.slug,
          body: { description: `mine ${round} ${randomBytes(3).toString('hex')}` },
        });
        expect(mine.statusCode, mine.body).toBe(200);
        while (mentions() < round) {
          const { value, done } = await reader.read();
          if (done) break;
          received += value;
        }
      }
      controller.abort();
      expect(received).toContain(own);
      for (const { side, sameTenant } of targetsOf(caller))
        expectNothingOfText(received, secretsOf(side, sameTenant), `events of ${sideLabel(caller)}`);
    }
  });
});

describe('the agent hub', () => {
  it("one agent's token opens only its own session; a request for another agent never reaches it", async () => {
    /** Connects the agent; it answers every request with its own id and keeps what it was asked. */
    async function online(agent: { id: string; token: string }) {
      const light = await connectLightAgent(baseUrl, agent.token);
      expect(await light.welcome()).toMatchObject({ agentId: agent.id });
      const asked: unknown[] = [];
      light.socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type !== 'request') return;
        asked.push(frame);
        light.send({ type: 'response', id: frame.id, ok: true, result: agent.id });
      });
      return { light, asked };
    }
    const mine = multi.slices.production.agent;
    const theirs = legacy.slices.production.agent;
    const a = await online(mine);
    const b = await online(theirs);
    const ping = (id: string) =>
      t.app.hub.request(id, { kind: 'ping', input: {} }, { deadline: Date.now() + 3_000 });

    expect((await ping(mine.id)).result).toBe(mine.id);
    expect((await ping(theirs.id)).result).toBe(theirs.id);
    // Agents that are not connected: refused, and no connected agent is asked in their place.
    for (const id of [multi.slices.sandbox.agent.id, legacy.slices.sandbox.agent.id, multi.base.agent.id]) {
      await expect(ping(id), id).rejects.toThrow();
    }
    expect(a.asked).toHaveLength(1);
    expect(b.asked).toHaveLength(1);
    for (const { light } of [a, b]) {
      light.socket.close();
      await light.closed;
    }
  });

  it('an agent token opens no REST route, in any tenant', async () => {
    for (const tenant of [multi, legacy]) {
      for (const slug of ENVIRONMENTS) {
        const token = tenant.slices[slug].agent.token;
        for (const url of [
          '/v1/agents',
          `/v1/agents/${tenant.slices[slug].agent.id}`,
          '/v1/connections',
          '/v1/runs',
        ]) {
          const response = await call(t.app, 'GET', url, { as: { apiToken: token } });
          expect(response.statusCode, url).toBe(401);
        }
      }
    }
  });
});
