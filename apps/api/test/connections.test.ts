import { once } from 'node:events';
import http from 'node:http';
import { closeSqlPools } from '@outpost/connectors/sql';
import type { Connection } from '@outpost/protocol/rest/connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT,
  startTestServers,
  type TestServers,
} from '../../../packages/connectors/test/fixtures/test-servers.mjs';
import { SSRF_MESSAGE } from '../src/lib/ssrf/guard.ts';
import { getConnection, runSqlQuery, sendHttpRequest } from '../src/modules/connections/service.ts';
import { call, issuePaths, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

/**
 * Connections through the API, Mode: Cloud. The servers listen on 127.0.0.2, which this app is
 * told to treat as reachable (OUTPOST_ALLOW_PRIVATE_TARGETS=127.0.0.2/32), as a self-hosted
 * install would; everything else private stays refused. On-premise is in private-network.test.ts.
 */
const PUBLIC = '127.0.0.2';
let t: TestApp;
let owner: SignedUp;
let servers: TestServers;
let api: string;
let oauthBase: string;
/** Every answer, to look for secrets in. */
const answers: string[] = [];
const SECRETS = ['basic-password-1', 'bearer-token-2', 'api-key-value-3', CLIENT.secret, 'pg-password-4'];

beforeAll(async () => {
  servers = await startTestServers({ host: PUBLIC });
  api = `http://${PUBLIC}:${servers.httpPort}`;
  oauthBase = `http://${PUBLIC}:${servers.oauthPort}`;
  t = await startTestApp({
    OUTPOST_ALLOW_PRIVATE_TARGETS: `${PUBLIC}/32`,
    OUTPOST_PUBLIC_URL: 'http://outpost.test',
  });
  owner = await signUp(t.app);
});
afterAll(async () => {
  await servers?.close();
  await t?.close();
  await closeSqlPools();
});

async function as(method: string, url: string, body?: unknown, environment?: string) {
  const response = await call(t.app, method, url, {
    as: { cookie: owner.cookie },
    ...(body === undefined ? {} : { body }),
    ...(environment ? { environment } : {}),
  });
  answers.push(response.body);
  return response;
}

async function create(body: Record<string, unknown>): Promise<Connection> {
  const response = await as('POST', '/v1/connections', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function test(id: string) {
  const response = await as('POST', `/v1/connections/${id}/test`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { ok: boolean; code: string; message: string; durationMs: number };
}

const scopeId = () =>
  t.db.environment
    .findFirstOrThrow({ where: { accountId: owner.me.account.id, slug: 'production' } })
    .then((environment) => environment.scopeId);
const deps = () => ({
  db: t.db,
  secrets: t.app.secrets,
  hub: t.app.hub,
  privateTargets: t.app.config.privateTargets,
});

describe('connections: create, read, change, delete', () => {
  it('creates an HTTP connection with write-only secrets, and lists it', async () => {
    const created = await create({
      name: 'ERP',
      type: 'HTTP',
      http: {
        baseUri: `${api}/`,
        testPath: '/basic',
        auth: { type: 'basic', username: 'ann', password: 'basic-password-1' },
      },
    });
    expect(created).toMatchObject({
      name: 'ERP',
      type: 'HTTP',
      mode: 'CLOUD',
      agent: null,
      http: {
        baseUri: `${api}/`,
        testPath: '/basic',
        auth: { type: 'basic', username: 'ann', passwordSet: true },
      },
      sql: null,
    });
    const list = await as('GET', '/v1/connections');
    expect(list.json().items.map((item: Connection) => item.name)).toContain('ERP');
    expect((await as('GET', `/v1/connections/${created.id}`)).json()).toEqual(created);
  });

  it('stores secrets only sealed: no plain text in any column', async () => {
    const created = await create({
      name: 'Orders DB',
      type: 'POSTGRES',
      sql: { host: 'db.example.com', database: 'orders', user: 'reader', password: 'pg-password-4' },
    });
    expect(created.sql).toEqual({
      host: 'db.example.com',
      database: 'orders',
      user: 'reader',
      tls: 'prefer',
      passwordSet: true,
    });
    const row = await t.db.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain('pg-password-4');
    expect(row.secretsCiphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row.settings)).not.toContain('password');
  });

  it('keeps a secret left out of a change, and asks for it when the auth type changes', async () => {
    const created = await create({
      name: 'Keeps',
      type: 'HTTP',
      http: {
        baseUri: api,
        testPath: '/key',
        auth: { type: 'api_key', header: 'X-Api-Key', value: 'k-123' },
      },
    });
    const renamed = await as('PATCH', `/v1/connections/${created.id}`, {
      name: 'Keeps renamed',
      http: { baseUri: api, testPath: '/key', auth: { type: 'api_key', header: 'X-Api-Key' } },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().http.auth).toEqual({ type: 'api_key', header: 'X-Api-Key', valueSet: true });
    expect(await test(created.id)).toMatchObject({ ok: true });

    const switched = await as('PATCH', `/v1/connections/${created.id}`, {
      http: { baseUri: api, auth: { type: 'bearer' } },
    });
    expect(switched.statusCode).toBe(400);
    expect(issuePaths(switched)).toEqual(['body.http.auth.token']);
    const wrongKind = await as('PATCH', `/v1/connections/${created.id}`, {
      sql: { host: 'x', database: 'y', user: 'z' },
    });
    expect(issuePaths(wrongKind)).toEqual(['body.sql']);
  });

  it('refuses bad input, naming the field', async () => {
    const missing = await as('POST', '/v1/connections', { type: 'HTTP', http: { baseUri: api } });
    expect(missing.statusCode).toBe(400);
    expect(issuePaths(missing)).toContain('body.name');
    const badUrl = await as('POST', '/v1/connections', {
      name: 'x',
      type: 'HTTP',
      http: { baseUri: 'ftp://x' },
    });
    expect(issuePaths(badUrl)).toContain('body.http.baseUri');
    const noAgent = await as('POST', '/v1/connections', {
      name: 'x',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      http: { baseUri: 'http://localhost:8080' },
    });
    expect(noAgent.statusCode).toBe(400);
    expect(issuePaths(noAgent)).toEqual(['body.agentId']);
    const cloudWithAgent = await as('POST', '/v1/connections', {
      name: 'x',
      type: 'HTTP',
      agentId: '0190a000-0000-7000-8000-000000000000',
      http: { baseUri: api },
    });
    expect(issuePaths(cloudWithAgent)).toEqual(['body.agentId']);
    const params = await as('POST', '/v1/connections', {
      name: 'x',
      type: 'MYSQL',
      sql: { host: 'db', database: 'd', user: 'u', port: 70000 },
    });
    expect(issuePaths(params)).toEqual(['body.sql.port']);
    await create({ name: 'Twice', type: 'HTTP', http: { baseUri: api } });
    expect(
      (await as('POST', '/v1/connections', { name: 'Twice', type: 'HTTP', http: { baseUri: api } }))
        .statusCode,
    ).toBe(409);
  });

  it('refuses a Cloud connection to a private address written as a literal, in any form', async () => {
    for (const [body, path] of [
      [{ type: 'HTTP', http: { baseUri: 'http://127.0.0.1:8080' } }, 'body.http.baseUri'],
      [{ type: 'HTTP', http: { baseUri: 'http://10.0.0.5/' } }, 'body.http.baseUri'],
      [{ type: 'HTTP', http: { baseUri: 'http://[::ffff:127.0.0.1]/' } }, 'body.http.baseUri'],
      [{ type: 'HTTP', http: { baseUri: 'http://localhost:9000/' } }, 'body.http.baseUri'],
      [{ type: 'POSTGRES', sql: { host: '0177.0.0.1', database: 'd', user: 'u' } }, 'body.sql.host'],
      [{ type: 'MYSQL', sql: { host: '169.254.169.254', database: 'd', user: 'u' } }, 'body.sql.host'],
      [
        {
          type: 'HTTP',
          http: {
            baseUri: api,
            auth: {
              type: 'oauth2_client_credentials',
              tokenUrl: 'http://2130706433/token',
              clientId: 'c',
              clientSecret: 's',
            },
          },
        },
        'body.http.auth.tokenUrl',
      ],
    ] as const) {
      const response = await as('POST', '/v1/connections', { name: `private ${path}`, ...body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(issuePaths(response)).toEqual([path]);
      expect(response.json().error.message).toContain(SSRF_MESSAGE);
    }
  });

  it('deletes a connection', async () => {
    const created = await create({ name: 'Short-lived', type: 'HTTP', http: { baseUri: api } });
    expect((await as('DELETE', `/v1/connections/${created.id}`)).statusCode).toBe(204);
    expect((await as('GET', `/v1/connections/${created.id}`)).statusCode).toBe(404);
  });
});

describe('Test connection in the cloud', () => {
  it('succeeds, or says what failed, with status 200 either way', async () => {
    const good = await create({
      name: 'Basic good',
      type: 'HTTP',
      http: { baseUri: api, testPath: '/basic', auth: { type: 'basic', username: 'ann', password: 'pw' } },
    });
    expect(await test(good.id)).toMatchObject({ ok: true, code: 'ok', durationMs: expect.any(Number) });
    const bad = await create({
      name: 'Basic bad',
      type: 'HTTP',
      http: {
        baseUri: api,
        testPath: '/basic',
        auth: { type: 'basic', username: 'ann', password: 'basic-password-1' },
      },
    });
    expect(await test(bad.id)).toMatchObject({
      ok: false,
      code: 'http_401',
      message: expect.stringContaining('401'),
    });
    const refused = await create({ name: 'Refused', type: 'HTTP', http: { baseUri: `http://${PUBLIC}:1` } });
    expect(await test(refused.id)).toMatchObject({ ok: false, code: 'connection_refused' });
    const unknown = await create({
      name: 'Unknown',
      type: 'HTTP',
      http: { baseUri: 'http://no-such-host.invalid' },
    });
    expect(await test(unknown.id)).toMatchObject({ ok: false, code: 'dns_failed' });
  });

  it('refuses a redirect from an allowed host to a private one, with the guard message', async () => {
    const redirector = http.createServer((_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${servers.httpPort}/health` }).end(),
    );
    redirector.listen(0, PUBLIC);
    await once(redirector, 'listening');
    try {
      const port = (redirector.address() as { port: number }).port;
      const hop = await create({ name: 'Hop', type: 'HTTP', http: { baseUri: `http://${PUBLIC}:${port}` } });
      const result = await test(hop.id);
      expect(result).toMatchObject({ ok: false, code: 'ssrf_blocked' });
      expect(result.message).toContain(SSRF_MESSAGE);
    } finally {
      redirector.close();
    }
  });

  it('an On-premise connection whose agent is offline says so', async () => {
    const agent = (await as('POST', '/v1/agents', { name: 'Sleeping agent' })).json();
    const created = await create({
      name: 'Behind the agent',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId: agent.id,
      http: { baseUri: 'http://localhost:8080' },
    });
    expect(created.agent).toEqual({ id: agent.id, name: 'Sleeping agent', status: 'awaiting_setup' });
    expect(await test(created.id)).toMatchObject({
      ok: false,
      code: 'agent_offline',
      message: expect.stringContaining('"Sleeping agent" is offline'),
    });
  });
});

describe('OAuth 2.0 in the cloud', () => {
  it('client credentials: Test connection gets a token, calls use it and renew it on 401', async () => {
    const created = await create({
      name: 'OAuth CC',
      type: 'HTTP',
      http: {
        baseUri: api,
        testPath: '/orders',
        auth: {
          type: 'oauth2_client_credentials',
          tokenUrl: `${oauthBase}/token`,
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          scope: 'read',
        },
      },
    });
    expect(created.http?.auth).toEqual({
      type: 'oauth2_client_credentials',
      tokenUrl: `${oauthBase}/token`,
      clientId: CLIENT.id,
      clientAuth: 'client_secret_basic',
      scope: 'read',
      clientSecretSet: true,
    });
    expect(await test(created.id)).toMatchObject({ ok: true });
    const row = await t.db.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.oauthTokenCiphertext).toMatch(/^v1\./);
    expect(row.oauthTokenExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);

    const connection = await getConnection({ db: t.db }, await scopeId(), created.id);
    const exchanges = servers.seen.tokenRequests.length;
    const response = await sendHttpRequest(deps(), connection, { method: 'GET', path: '/orders' });
    expect(response.status).toBe(200);
    let text = '';
    for await (const chunk of response.body ?? []) text += Buffer.from(chunk).toString();
    expect(JSON.parse(text).orders).toHaveLength(2);
    expect(servers.seen.tokenRequests.length, 'the cached token was used').toBe(exchanges);

    servers.expireTokens();
    const renewed = await sendHttpRequest(deps(), connection, { method: 'GET', path: '/orders' });
    expect(renewed.status).toBe(200);
    for await (const _ of renewed.body ?? []);
    expect(servers.seen.tokenRequests.length).toBe(exchanges + 1);

    // The same request through the public route: the body as is, the status in a header.
    const routed = await as('POST', `/v1/connections/${created.id}/http`, { method: 'GET', path: '/orders' });
    expect(routed.statusCode, routed.body).toBe(200);
    expect(routed.headers['x-outpost-upstream-status']).toBe('200');
    expect(JSON.parse(routed.body).orders).toHaveLength(2);
  });

  it('client credentials with a wrong secret: the test names the token endpoint and what to check', async () => {
    const created = await create({
      name: 'OAuth wrong',
      type: 'HTTP',
      http: {
        baseUri: api,
        testPath: '/orders',
        auth: {
          type: 'oauth2_client_credentials',
          tokenUrl: `${oauthBase}/token`,
          clientId: CLIENT.id,
          clientSecret: 'nope',
        },
      },
    });
    expect(await test(created.id)).toMatchObject({
      ok: false,
      code: 'auth_failed',
      message: expect.stringMatching(/^Getting an OAuth 2.0 token failed.*client ID and secret/),
    });
  });

  it('authorization code: Connect, come back, use the token; a state works once and only for its person', async () => {
    const created = await create({
      name: 'OAuth code',
      type: 'HTTP',
      http: {
        baseUri: api,
        testPath: '/orders',
        auth: {
          type: 'oauth2_authorization_code',
          authorizeUrl: `${oauthBase}/authorize`,
          tokenUrl: `${oauthBase}/token`,
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          clientAuth: 'client_secret_post',
        },
      },
    });
    expect(created.http?.auth).toMatchObject({ connected: false });
    expect(await test(created.id)).toMatchObject({ ok: false, code: 'oauth_not_connected' });

    const authorize = async () => {
      const response = await call(
        t.app,
        'GET',
        `/v1/connections/${created.id}/oauth/authorize?returnTo=/production/resources/connections`,
        {
          as: { cookie: owner.cookie },
          headers: { referer: 'http://web.test:3000/production/resources/connections' },
        },
      );
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { url: string; redirectUri: string };
    };
    const started = await authorize();
    expect(started.redirectUri).toBe('http://outpost.test/v1/oauth/callback');
    const approved = await fetch(started.url, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location') ?? '');
    expect(callback.origin + callback.pathname).toBe(started.redirectUri);
    const path = `/v1/oauth/callback${callback.search}`;

    // Not signed in as the person who started it: refused, and the state is used up.
    const stranger = await call(t.app, 'GET', path);
    expect(stranger.statusCode).toBe(403);
    expect((await call(t.app, 'GET', path, { as: { cookie: owner.cookie } })).statusCode).toBe(400);

    const again = await authorize();
    const approvedAgain = await fetch(again.url, { redirect: 'manual' });
    const back = new URL(approvedAgain.headers.get('location') ?? '');
    const finished = await call(t.app, 'GET', `/v1/oauth/callback${back.search}`, {
      as: { cookie: owner.cookie },
    });
    expect(finished.statusCode, finished.body).toBe(302);
    const landed = new URL(finished.headers.location as string);
    expect(landed.origin + landed.pathname).toBe('http://web.test:3000/production/resources/connections');
    expect(Object.fromEntries(landed.searchParams)).toEqual({ oauth: 'connected', connection: created.id });
    expect((await as('GET', `/v1/connections/${created.id}`)).json().http.auth.connected).toBe(true);
    expect(await test(created.id)).toMatchObject({ ok: true });
    expect(servers.seen.tokenRequests.at(-1)).toMatchObject({ grant: 'authorization_code', via: 'post' });

    // An expired access token is refreshed with the refresh token.
    await t.db.connection.update({ where: { id: created.id }, data: { oauthTokenExpiresAt: new Date(0) } });
    expect(await test(created.id)).toMatchObject({ ok: true });
    expect(servers.seen.tokenRequests.at(-1)).toMatchObject({ grant: 'refresh_token' });
  });

  it('a bad or missing state is refused', async () => {
    expect((await call(t.app, 'GET', '/v1/oauth/callback?code=x&state=forged')).statusCode).toBe(400);
    expect((await call(t.app, 'GET', '/v1/oauth/callback?code=x')).statusCode).toBe(400);
  });
});

describe('SQL in the cloud', () => {
  it('says when the host does not resolve, in a test and in a query', async () => {
    const created = await create({
      name: 'Local DB by name',
      type: 'POSTGRES',
      sql: { host: 'db.example.invalid', database: 'test', user: 'root' },
    });
    expect(await test(created.id)).toMatchObject({ ok: false, code: 'dns_failed' });
    const connection = await getConnection({ db: t.db }, await scopeId(), created.id);
    await expect(runSqlQuery(deps(), connection, { sql: 'SELECT 1' })).rejects.toMatchObject({
      code: 'dns_failed',
    });
    const routed = await as('POST', `/v1/connections/${created.id}/query`, { sql: 'SELECT 1' });
    expect(routed.statusCode, routed.body).toBe(503);
    expect(routed.json().error.message).toMatch(/^dns_failed: /);
  });
});

describe('agents that connections use', () => {
  it('cannot be deleted while connections use them: 409 naming them', async () => {
    const agent = (await as('POST', '/v1/agents', { name: 'Busy agent' })).json();
    for (const name of ['Uses agent A', 'Uses agent B'])
      await create({
        name,
        type: 'HTTP',
        mode: 'ON_PREMISE',
        agentId: agent.id,
        http: { baseUri: 'http://localhost' },
      });
    const refused = await as('DELETE', `/v1/agents/${agent.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('"Uses agent A", "Uses agent B"');
    const [first, second] = (await as('GET', '/v1/connections'))
      .json()
      .items.filter((item: Connection) => item.name.startsWith('Uses agent'));
    const toCloud = await as('PATCH', `/v1/connections/${first.id}`, {
      mode: 'CLOUD',
      agentId: null,
      http: { baseUri: 'https://erp.example.com' },
    });
    expect(toCloud.json()).toMatchObject({ mode: 'CLOUD', agent: null });
    await as('DELETE', `/v1/connections/${second.id}`);
    expect((await as('DELETE', `/v1/agents/${agent.id}`)).statusCode).toBe(204);
  });

  it("another environment's agent cannot be picked", async () => {
    const sandboxAgent = (await as('POST', '/v1/agents', { name: 'Sandbox agent' }, 'sandbox')).json();
    const response = await as('POST', '/v1/connections', {
      name: 'Cross-environment',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId: sandboxAgent.id,
      http: { baseUri: 'http://localhost' },
    });
    expect(response.statusCode).toBe(400);
    expect(issuePaths(response)).toEqual(['body.agentId']);
  });
});

describe('secrets', () => {
  it('never appear in any answer above, nor in the audit log', async () => {
    for (const answer of answers) for (const secret of SECRETS) expect(answer).not.toContain(secret);
    const events = await t.db.auditEvent.findMany({ where: { accountId: owner.me.account.id } });
    expect(events.some((event) => event.action === 'connection.created')).toBe(true);
    for (const secret of SECRETS) expect(JSON.stringify(events)).not.toContain(secret);
  });
});
