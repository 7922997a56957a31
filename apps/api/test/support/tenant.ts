import { randomBytes } from 'node:crypto';
import type { License } from '@outpost/protocol/rest/accounts';
import type { CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createSession } from '../../src/modules/auth/sessions.ts';
import {
  type Credentials,
  call,
  createApiToken,
  type SignedUp,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../helpers.ts';

/**
 * A tenant with a member of every role and one of every resource, made over HTTP: what
 * security.test.ts attacks and isolation-sweep.test.ts sweeps.
 */

export const SCRIPT_SOURCE = 'function transform(record) {\n  return { ...record, seen: true };\n}\n';

/** Everything of one account a test needs, plus the strings no other account may ever see. */
export interface Tenant {
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

export async function createTenant(
  app: FastifyInstance,
  db: TestApp['db'],
  options: { license?: License } = {},
): Promise<Tenant> {
  const name = `Tenant ${randomBytes(6).toString('hex')}`;
  const owner = await signUp(app, {
    accountName: name,
    ...(options.license ? { license: options.license } : {}),
  });
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
  // A legacy account cannot add environments: its Sandbox stands in.
  const environmentId =
    options.license === 'LEGACY'
      ? (
          await db.environment.findUniqueOrThrow({
            where: { accountId_slug: { accountId, slug: 'sandbox' } },
          })
        ).id
      : await (async () => {
          const environment = await call(app, 'POST', '/v1/environments', {
            as: asOwner,
            body: { name: tokenName('environment'), slug: `env-${randomBytes(4).toString('hex')}` },
          });
          expect(environment.statusCode).toBe(201);
          return environment.json().id as string;
        })();
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
    environmentId,
    migrationId: migration.id,
    integration,
    secrets: [
      ...Object.values(integration),
      connection.json().id,
      connectionSecret,
      agent.json().id,
      agentToken,
      environmentId,
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

/** The tenant's exports, imports, script, flows and a queued run, created over HTTP (in `environment`, default Production). */
export async function createIntegration(
  app: FastifyInstance,
  as: Credentials,
  named: (what: string) => string,
  environment?: string,
): Promise<Tenant['integration']> {
  const create = async (path: string, body: Record<string, unknown>, status = 201): Promise<string> => {
    const response = await call(app, 'POST', path, { as, body, ...(environment ? { environment } : {}) });
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
export async function snapshot(db: TestApp['db'], accountId: string) {
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
