import { randomBytes } from 'node:crypto';
import type { CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../src/context.ts';
import { createSession } from '../src/modules/auth/sessions.ts';
import {
  type CallOptions,
  type Credentials,
  call,
  createApiToken,
  PASSWORD,
  requestHeaders,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './helpers.ts';

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

const SCRIPT_SOURCE = 'function transform(record) {\n  return { ...record, seen: true };\n}\n';

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

/** Everything of one account a test needs, plus the strings no other account may ever see. */
interface Tenant {
  accountId: string;
  owner: SignedUp;
  /** A session per role, each a different member. */
  sessions: Record<Role, string>;
  /** The user behind each of those sessions. */
  users: Record<Role, string>;
  /** A member that the member routes act on. */
  bystander: { memberId: string; email: string };
  /** The API token that the API token routes act on. */
  targetToken: CreatedApiToken;
  adminToken: CreatedApiToken;
  monitorToken: CreatedApiToken;
  /** A token that was replaced by Generate token. */
  revokedToken: string;
  /** The agent that the agent routes act on. */
  agent: { id: string; token: string };
  /** The connection that the connection routes act on (Cloud, OAuth 2.0 authorization code). */
  connection: { id: string };
  /** An empty environment besides Production and Sandbox, which the environment routes rename and delete. */
  environmentId: string;
  /** A kept migration report of the account. */
  migrationId: string;
  /**
   * The ids the export, import, script, flow and run routes act on: an export, import and script
   * no flow uses (so that they can be deleted); a flow (of flowExport → flowImport) without runs;
   * runFlow with a queued run.
   */
  integration: Record<
    'connection' | 'export' | 'import' | 'script' | 'flowExport' | 'flowImport' | 'flow' | 'runFlow' | 'run',
    string
  >;
  secrets: string[];
}

async function createTenant(app: FastifyInstance, db: TestApp['db']): Promise<Tenant> {
  const name = `Tenant ${randomBytes(6).toString('hex')}`;
  const owner = await signUp(app, { accountName: name });
  const accountId = owner.me.account.id;
  const asOwner = { cookie: owner.cookie };
  const ownerUser = await db.user.findUniqueOrThrow({ where: { id: owner.me.user.id } });

  // Members are added over HTTP; their sign-up is short-cut (same password hash, a session row)
  // because hashing a password per member would make this file slow.
  const sessions: Record<Role, string> = { OWNER: owner.cookie, ADMIN: '', MANAGE: '', MONITOR: '' };
  const users: Record<Role, string> = { OWNER: owner.me.user.id, ADMIN: '', MANAGE: '', MONITOR: '' };
  const memberEmails: string[] = [];
  for (const role of ['ADMIN', 'MANAGE', 'MONITOR'] as const) {
    const email = uniqueEmail(role.toLowerCase());
    const added = await call(app, 'POST', '/v1/members', { as: asOwner, body: { email, role } });
    expect(added.statusCode).toBe(201);
    const userId: string = added.json().userId;
    await db.user.update({ where: { id: userId }, data: { passwordHash: ownerUser.passwordHash } });
    const { cookie } = await createSession(db, {
      userId,
      accountId,
      ipAddress: '127.0.0.1',
      userAgent: 'test',
    });
    sessions[role] = cookie;
    users[role] = userId;
    memberEmails.push(email);
  }
  const bystanderEmail = uniqueEmail('bystander');
  const bystander = await call(app, 'POST', '/v1/members', {
    as: asOwner,
    body: { email: bystanderEmail, role: 'MANAGE' },
  });
  expect(bystander.statusCode).toBe(201);

  const tokenName = (what: string) => `${name} ${what}`;
  const targetToken = await createApiToken(app, asOwner, { name: tokenName('target'), role: 'MANAGE' });
  const adminToken = await createApiToken(app, asOwner, { name: tokenName('admin'), role: 'ADMIN' });
  const monitorToken = await createApiToken(app, asOwner, { name: tokenName('monitor'), role: 'MONITOR' });
  const replaced = await createApiToken(app, asOwner, { name: tokenName('replaced'), role: 'ADMIN' });
  const regenerated = await call(app, 'POST', `/v1/api-tokens/${replaced.id}/token`, { as: asOwner });
  expect(regenerated.statusCode).toBe(200);
  const environment = await call(app, 'POST', '/v1/environments', {
    as: asOwner,
    body: { name: tokenName('environment'), slug: `env-${randomBytes(4).toString('hex')}` },
  });
  expect(environment.statusCode).toBe(201);
  const migration = await db.accountMigration.create({
    data: { accountId, report: { items: [], notes: [] } },
  });
  const agent = await call(app, 'POST', '/v1/agents', { as: asOwner, body: { name: tokenName('agent') } });
  expect(agent.statusCode).toBe(201);
  const agentToken = (await call(app, 'GET', `/v1/agents/${agent.json().id}/token`, { as: asOwner })).json()
    .token;
  const connectionSecret = `client-secret-${randomBytes(8).toString('hex')}`;
  const connection = await call(app, 'POST', '/v1/connections', {
    as: asOwner,
    body: {
      name: tokenName('connection'),
      type: 'HTTP',
      http: {
        baseUri: 'https://erp.example.invalid',
        auth: {
          type: 'oauth2_authorization_code',
          authorizeUrl: 'https://auth.example.invalid/authorize',
          tokenUrl: 'https://auth.example.invalid/token',
          clientId: 'outpost',
          clientSecret: connectionSecret,
        },
      },
    },
  });
  expect(connection.statusCode, connection.body).toBe(201);
  const integration = await createIntegration(app, asOwner, tokenName);

  return {
    accountId,
    owner,
    sessions,
    users,
    bystander: { memberId: bystander.json().id, email: bystanderEmail },
    targetToken,
    adminToken,
    monitorToken,
    revokedToken: replaced.token,
    agent: { id: agent.json().id, token: agentToken },
    connection: { id: connection.json().id },
    environmentId: environment.json().id,
    migrationId: migration.id,
    integration,
    secrets: [
      ...Object.values(integration),
      connection.json().id,
      connectionSecret,
      agent.json().id,
      agentToken,
      environment.json().id,
      migration.id,
      name,
      accountId,
      owner.email,
      ...memberEmails,
      bystanderEmail,
      bystander.json().id,
      ...[targetToken, adminToken, monitorToken, replaced].flatMap((token) => [token.id, token.token]),
      regenerated.json().token,
    ],
  };
}

/** The tenant's exports, imports, script, flows and a queued run, created over HTTP. */
async function createIntegration(
  app: FastifyInstance,
  as: Credentials,
  named: (what: string) => string,
): Promise<Tenant['integration']> {
  const create = async (path: string, body: Record<string, unknown>, status = 201): Promise<string> => {
    const response = await call(app, 'POST', path, { as, body });
    expect(response.statusCode, response.body).toBe(status);
    return response.json().id;
  };
  // A connection of their own, so that the tenant's connection stays free to be deleted.
  const connectionId = await create('/v1/connections', {
    name: named('integration connection'),
    type: 'HTTP',
    http: { baseUri: 'https://shop.example.invalid' },
  });
  const http = { path: '/orders' };
  const ids = {
    export: await create('/v1/exports', { name: named('export'), connectionId, http }),
    import: await create('/v1/imports', { name: named('import'), connectionId, http }),
    script: await create('/v1/scripts', { name: named('script'), kind: 'TRANSFORM', source: SCRIPT_SOURCE }),
    flowExport: await create('/v1/exports', { name: named('flow export'), connectionId, http }),
    flowImport: await create('/v1/imports', { name: named('flow import'), connectionId, http }),
  };
  const flow = (name: string) =>
    create('/v1/flows', { name: named(name), exportId: ids.flowExport, importIds: [ids.flowImport] });
  const runFlow = await flow('run flow');
  return {
    connection: connectionId,
    ...ids,
    flow: await flow('flow'),
    runFlow,
    run: await create(`/v1/flows/${runFlow}/runs`, {}, 202),
  };
}

/** The rows of one account that no refused request may change (use timestamps excluded). */
async function snapshot(db: TestApp['db'], accountId: string) {
  const memberships = await db.membership.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
  return {
    account: await db.account.findUnique({ where: { id: accountId } }),
    memberships,
    users: await db.user.findMany({
      where: { id: { in: memberships.map((membership) => membership.userId) } },
      orderBy: { id: 'asc' },
    }),
    scopes: await db.scope.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
    environments: await db.environment.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
    apiTokens: await db.apiToken.findMany({
      where: { scope: { accountId } },
      orderBy: { id: 'asc' },
      omit: { lastUsedAt: true },
    }),
    sessions: await db.session.findMany({
      where: { accountId },
      orderBy: { id: 'asc' },
      omit: { lastSeenAt: true, expiresAt: true },
    }),
    auditEvents: await db.auditEvent.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
    agents: await db.agent.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
    connections: await db.connection.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
    exports: await db.export.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
    imports: await db.import.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
    scripts: await db.script.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
    flows: await db.flow.findMany({
      where: { scope: { accountId } },
      orderBy: { id: 'asc' },
      include: { scripts: true, imports: true },
    }),
    runs: await db.flowRun.findMany({ where: { scope: { accountId } }, orderBy: { id: 'asc' } }),
  };
}

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

/** The registered routes, read from Fastify's route tree (`METHOD /path`, HEAD left out). */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const path: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    path.length = depth;
    path.push(match[2] ?? '');
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${path.join('')}`);
    }
  }
  return routes;
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
