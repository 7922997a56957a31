import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT } from '../../../packages/connectors/test/fixtures/test-servers.mjs';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SSRF_MESSAGE } from '../src/lib/ssrf/guard.ts';
import { getConnection, runSqlQuery, sendHttpRequest } from '../src/modules/connections/service.ts';
import { exchangeToken } from '../src/modules/connections/tokens.ts';
import { AGENT_DIST_DIR, call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';
import {
  buildPrivateNetwork,
  DENIED_PORT,
  HTTP_PORT,
  OAUTH_PORT,
  type PrivateNetwork,
  waitFor,
} from './support/private-network.ts';

/**
 * On-premise connections in a private network (support/private-network.ts: a network namespace
 * with an HTTP API, an OAuth 2.0 server and PostgreSQL the API cannot reach, and the real agent
 * inside dialling out to the API outside).
 */

const cleanups: (() => Promise<void> | void)[] = [];
let network: PrivateNetwork;
let net: PrivateNetwork['net'];
let PG_PASSWORD: string;
let t: TestApp;
let owner: SignedUp;
let agentId: string;

beforeAll(async () => {
  network = await buildPrivateNetwork();
  cleanups.push(() => network.close());
  net = network.net;
  PG_PASSWORD = network.pgPassword;
  try {
    await Promise.all([network.startServers(), network.startPostgres()]);
    t = await startTestApp({ OUTPOST_AGENT_HEARTBEAT_MS: '2000' });
    cleanups.push(() => t.close());
    const apiUrl = await t.app.listen({ port: 0, host: net.root });
    owner = await signUp(t.app);
    const agent = await as('POST', '/v1/agents', { name: 'LAN agent' });
    agentId = agent.json().id;
    const { token } = (await as('GET', `/v1/agents/${agentId}/token`)).json();
    await network.startAgent(apiUrl, token);
    await waitFor(
      async () => (await as('GET', `/v1/agents/${agentId}`)).json().status === 'online',
      'the agent to come online',
      network.agentLog,
    );
  } catch (error) {
    throw new Error(`${String(error)}\nagent log:\n${network.agentLog()}`);
  }
}, 90_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('private-network clean-up:', error);
    }
  }
}, 60_000);

function as(method: string, url: string, body?: unknown, app: FastifyInstance = t.app) {
  return call(app, method, url, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });
}

async function create(body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await as('POST', '/v1/connections', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function test(connectionId: string, app: FastifyInstance = t.app) {
  const response = await as('POST', `/v1/connections/${connectionId}/test`, undefined, app);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { ok: boolean; code: string; message: string };
}

const deps = () => ({
  db: t.db,
  secrets: t.app.secrets,
  hub: t.app.hub,
  privateTargets: t.app.config.privateTargets,
});
const load = async (connectionId: string) => {
  const environment = await t.db.environment.findFirstOrThrow({
    where: { accountId: owner.me.account.id, slug: 'production' },
  });
  return getConnection({ db: t.db }, environment.scopeId, connectionId);
};

const oauthAuth = () => ({
  type: 'oauth2_client_credentials',
  tokenUrl: `http://auth.corp.test:${OAUTH_PORT}/token`,
  clientId: CLIENT.id,
  clientSecret: CLIENT.secret,
  scope: 'read',
});

describe('the private network', () => {
  it('is out of reach of the API: the servers cannot be reached from outside the namespace', async () => {
    const direct = await fetch(`http://${net.lan}:${HTTP_PORT}/health`).then(
      () => 'reached',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(direct).toBe('EHOSTUNREACH');
  });
});

describe('On-premise connections through the agent', () => {
  it('HTTP with OAuth 2.0: Test connection succeeds, a call returns the server data', async () => {
    const erp = await create({
      name: 'ERP on the LAN',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: `http://erp.corp.test:${HTTP_PORT}`, testPath: '/orders', auth: oauthAuth() },
    });
    expect(await test(erp.id)).toMatchObject({ ok: true, code: 'ok' });
    const response = await sendHttpRequest(deps(), await load(erp.id), { method: 'GET', path: '/orders' });
    expect(response.status).toBe(200);
    let text = '';
    for await (const chunk of response.body ?? []) text += Buffer.from(chunk).toString();
    expect(JSON.parse(text)).toEqual({
      orders: [
        { id: 1, item: 'anvil' },
        { id: 2, item: 'rope' },
      ],
    });
  });

  it('OAuth 2.0: the client-credentials exchange with the private authorization server runs on the agent', async () => {
    const erp = await load(
      (
        await create({
          name: 'Token only',
          type: 'HTTP',
          mode: 'ON_PREMISE',
          agentId,
          http: { baseUri: `http://erp.corp.test:${HTTP_PORT}`, auth: oauthAuth() },
        })
      ).id,
    );
    const token = await exchangeToken(deps(), erp, {
      grant: 'client_credentials',
      tokenUrl: `http://auth.corp.test:${OAUTH_PORT}/token`,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      scope: 'read',
    });
    expect(token).toMatchObject({ tokenType: 'bearer', expiresIn: 3600, scope: 'read' });
    expect(token.accessToken).toMatch(/^[0-9a-f]{32}$/);
    // The same exchange from the cloud cannot even resolve the authorization server's name.
    await expect(
      exchangeToken(
        deps(),
        { mode: 'CLOUD', agent: null },
        {
          grant: 'client_credentials',
          tokenUrl: `http://auth.corp.test:${OAUTH_PORT}/token`,
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
        },
      ),
    ).rejects.toMatchObject({ code: 'dns_failed' });
  });

  it('PostgreSQL: Test connection succeeds, and a parameterised query returns rows', async () => {
    const db = await create({
      name: 'Orders DB',
      type: 'POSTGRES',
      mode: 'ON_PREMISE',
      agentId,
      sql: { host: 'db.corp.test', port: 5432, database: 'postgres', user: 'outpost', password: PG_PASSWORD },
    });
    expect(await test(db.id)).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Connected to PostgreSQL 15/),
    });
    const connection = await load(db.id);
    await runSqlQuery(deps(), connection, { sql: 'CREATE TABLE orders (id int PRIMARY KEY, item text)' });
    const inserted = await runSqlQuery(deps(), connection, {
      sql: 'INSERT INTO orders VALUES ($1, $2), ($3, $4)',
      params: [1, 'anvil', 2, "rope'; DROP TABLE orders; --"],
    });
    expect(inserted).toEqual({ columns: [], rowCount: 2 });
    const selected = await runSqlQuery(deps(), connection, {
      sql: 'SELECT id, item FROM orders WHERE id >= $1 ORDER BY id',
      params: [1],
    });
    expect(selected.columns).toEqual([
      { name: 'id', type: 'int4' },
      { name: 'item', type: 'text' },
    ]);
    let text = '';
    for await (const chunk of selected.rows ?? []) text += Buffer.from(chunk).toString();
    expect(text).toBe('[1,"anvil"]\n[2,"rope\'; DROP TABLE orders; --"]\n');

    const wrong = await create({
      name: 'Orders DB, wrong password',
      type: 'POSTGRES',
      mode: 'ON_PREMISE',
      agentId,
      sql: { host: 'db.corp.test', database: 'postgres', user: 'outpost', password: 'not-it' },
    });
    expect(await test(wrong.id)).toMatchObject({ ok: false, code: 'auth_failed' });
  });

  it('Test connection says what failed on the agent: refused port, unknown name, its policy', async () => {
    const refused = await create({
      name: 'Wrong port',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: `http://erp.corp.test:${HTTP_PORT + 1}` },
    });
    expect(await test(refused.id)).toMatchObject({ ok: false, code: 'connection_refused' });
    const unknown = await create({
      name: 'Wrong name',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: 'http://nowhere.corp.test' },
    });
    expect(await test(unknown.id)).toMatchObject({ ok: false, code: 'dns_failed' });
    const denied = await create({
      name: 'Denied by the agent',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: `http://erp.corp.test:${DENIED_PORT}` },
    });
    expect(await test(denied.id)).toMatchObject({
      ok: false,
      code: 'policy_denied',
      message: expect.stringMatching(
        /^The agent refused to reach erp\.corp\.test:9999: .*deny entry.*agent's policy/,
      ),
    });
  });
});

describe('the same connections in Cloud mode', () => {
  let erpByAddress: { id: string };
  let dbByAddress: { id: string };

  beforeAll(async () => {
    erpByAddress = await create({
      name: 'ERP by address',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: `http://${net.lan}:${HTTP_PORT}`, testPath: '/health' },
    });
    dbByAddress = await create({
      name: 'DB by address',
      type: 'POSTGRES',
      mode: 'ON_PREMISE',
      agentId,
      sql: { host: net.lan, database: 'postgres', user: 'outpost', password: PG_PASSWORD },
    });
    expect(await test(erpByAddress.id)).toMatchObject({ ok: true });
    expect(await test(dbByAddress.id)).toMatchObject({ ok: true });
  });

  it('cannot be switched to Cloud: the guard refuses the private address, naming the field', async () => {
    for (const [connection, path] of [
      [erpByAddress, 'body.http.baseUri'],
      [dbByAddress, 'body.sql.host'],
    ] as const) {
      const response = await as('PATCH', `/v1/connections/${connection.id}`, {
        mode: 'CLOUD',
        agentId: null,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining(SSRF_MESSAGE),
        issues: [{ path }],
      });
    }
  });

  it('fail at connect with ssrf_blocked when they run in the cloud anyway', async () => {
    // As a connection saved before would: the guard checks every connect, not only the form.
    await t.db.connection.updateMany({
      where: { id: { in: [erpByAddress.id, dbByAddress.id] } },
      data: { mode: 'CLOUD', agentId: null },
    });
    for (const connection of [erpByAddress, dbByAddress]) {
      const result = await test(connection.id);
      expect(result).toMatchObject({ ok: false, code: 'ssrf_blocked' });
      expect(result.message).toContain(SSRF_MESSAGE);
    }
    const byName = await create({
      name: 'ERP by name, Cloud',
      type: 'HTTP',
      http: { baseUri: `http://erp.corp.test:${HTTP_PORT}` },
    });
    expect(await test(byName.id)).toMatchObject({
      ok: false,
      code: 'dns_failed',
      message: expect.stringContaining('Mode: On-premise'),
    });
  });

  it('with the guard turned off (OUTPOST_ALLOW_PRIVATE_TARGETS=true) still cannot reach a private network', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-private-api-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const open = await buildApp({
      config: loadConfig({
        LOG_LEVEL: 'silent',
        OUTPOST_DATA_DIR: dataDir,
        OUTPOST_ALLOW_PRIVATE_TARGETS: 'true',
      }),
      db: t.db,
      secrets: t.app.secrets,
      agentDistDir: AGENT_DIST_DIR,
    });
    try {
      await open.ready();
      const saved = await as(
        'PATCH',
        `/v1/connections/${erpByAddress.id}`,
        { mode: 'CLOUD', agentId: null },
        open,
      );
      expect(saved.statusCode, saved.body).toBe(200);
      for (const connection of [erpByAddress, dbByAddress])
        expect(await test(connection.id, open)).toMatchObject({ ok: false, code: 'host_unreachable' });
    } finally {
      await open.close();
    }
  });
});
