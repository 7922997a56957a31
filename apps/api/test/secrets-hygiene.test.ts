import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, runAgent } from '../../agent/test/hub/agent-process.ts';
import { type CallOptions, call, sessionCookie, startTestApp, type TestApp, uniqueEmail } from './helpers.ts';
import { everyRowAsText, pgDump } from './support/every-row.ts';
import { waitFor } from './support/private-network.ts';

/**
 * The whole journey at debug log level — sign-up, members, log-in, API tokens, agents with Show
 * token and a real agent connected, connections of every auth type (OAuth through a local
 * authorization server) and their tests, a flow with export, script and import and its run, token
 * regeneration, the agent downloads, sign-out — then every log line, API answer (body and
 * headers), database row (and a pg_dump), file of the unpacked download archives, and the agent's
 * own output and files are searched for every token and secret made on the way. None may appear,
 * except in the answers that hand one out on purpose (create, Show token, Generate token, the
 * Set-Cookie of a sign-in, the state in Connect's authorize URL), each allowed exactly its own.
 * The agent's config file, if it writes one, holds its token by design (mode 0600, checked): it
 * is the one file left out.
 */

const STATE_PATTERN = /^[A-Za-z0-9_-]+$/;

const logLines: string[] = [];
/** Every answer the journey got, with what each may contain. */
const answers: { label: string; response: LightMyRequestResponse; allowed: string[] }[] = [];
/** label → the secret strings made on the way. */
const secrets = new Map<string, string>();
const secret = (label: string, value: string) => {
  expect(value.length, label).toBeGreaterThanOrEqual(8);
  secrets.set(label, value);
  return value;
};
const fresh = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;

let t: TestApp;
let baseUrl: string;
let service: http.Server;
let serviceUrl: string;
/** What the local service saw: the Authorization (or API key) each request carried. */
const seenCredentials: string[] = [];
let agent: AgentProcess | undefined;
let workDir: string;

/** A local system behind the connections: an OAuth 2.0 token endpoint and a JSON API. */
async function startService(tokens: { access: string; refresh: string; codeAccess: string; code: string }) {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://service');
      seenCredentials.push(String(request.headers.authorization ?? request.headers['x-api-key'] ?? ''));
      const json = (status: number, value: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/oauth/token') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') === 'authorization_code' && form.get('code') === tokens.code)
          return json(200, {
            access_token: tokens.codeAccess,
            refresh_token: `${tokens.refresh}-code`,
            token_type: 'bearer',
            expires_in: 3600,
          });
        return json(200, {
          access_token: tokens.access,
          refresh_token: tokens.refresh,
          token_type: 'bearer',
          expires_in: 3600,
        });
      }
      if (url.pathname === '/orders')
        return json(200, [
          { id: 1, item: 'one' },
          { id: 2, item: 'two' },
        ]);
      return json(200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const oauth = {
  access: fresh('oauth-access'),
  refresh: fresh('oauth-refresh'),
  codeAccess: fresh('oauth-code-access'),
  code: fresh('oauth-code'),
};

beforeAll(async () => {
  for (const [label, value] of Object.entries(oauth)) secret(`OAuth ${label}`, value);
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await startTestApp(
    { LOG_LEVEL: 'debug', OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32' },
    { logStream },
  );
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  ({ server: service, url: serviceUrl } = await startService(oauth));
  workDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-secrets-'));
});
afterAll(async () => {
  await agent?.stop();
  await t?.close();
  await new Promise((resolve) => service?.close(resolve));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** One request of the journey; its answer is kept for the search. `allowed`: the secrets it may hand out. */
async function api(
  label: string,
  method: string,
  url: string,
  options: CallOptions = {},
  allowed: string[] = [],
): Promise<LightMyRequestResponse> {
  const response = await call(t.app, method, url, options);
  answers.push({ label, response, allowed });
  return response;
}

function expectStatus(response: LightMyRequestResponse, status: number) {
  expect(response.statusCode, response.body).toBe(status);
}

describe('secrets hygiene', () => {
  it('no token or secret made on the whole journey shows in logs, answers, the database or downloads', async () => {
    // Sign-up, a member who signs up and joins, log-in (wrong, then right).
    const ownerEmail = uniqueEmail('owner');
    const ownerPassword = secret('owner password', fresh('owner-password'));
    const signedUp = await call(t.app, 'POST', '/v1/auth/signup', {
      body: { email: ownerEmail, password: ownerPassword, accountName: 'Hygiene' },
    });
    expectStatus(signedUp, 201);
    const ownerCookie = secret('owner session', sessionCookie(signedUp));
    answers.push({ label: 'sign-up', response: signedUp, allowed: [ownerCookie] });
    const owner = { as: { cookie: ownerCookie } };

    const memberEmail = uniqueEmail('member');
    expectStatus(
      await api('add member', 'POST', '/v1/members', {
        ...owner,
        body: { email: memberEmail, role: 'MANAGE' },
      }),
      201,
    );
    const memberPassword = secret('member password', fresh('member-password'));
    const memberSignUp = await call(t.app, 'POST', '/v1/auth/signup', {
      body: { email: memberEmail, password: memberPassword, accountName: 'Member own' },
    });
    expectStatus(memberSignUp, 201);
    const memberFirstCookie = secret('member first session', sessionCookie(memberSignUp));
    answers.push({ label: 'member sign-up', response: memberSignUp, allowed: [memberFirstCookie] });
    const switched = await call(t.app, 'POST', '/v1/me/account', {
      as: { cookie: memberFirstCookie },
      body: { accountId: signedUp.json().account.id },
    });
    expectStatus(switched, 200);
    const memberCookie = secret('member session', sessionCookie(switched));
    answers.push({ label: 'switch account', response: switched, allowed: [memberCookie] });

    const wrongPassword = secret('wrong password', fresh('wrong-password'));
    expectStatus(
      await api('wrong log-in', 'POST', '/v1/auth/login', {
        body: { email: ownerEmail, password: wrongPassword },
      }),
      401,
    );
    const loggedIn = await call(t.app, 'POST', '/v1/auth/login', {
      body: { email: ownerEmail, password: ownerPassword },
    });
    expectStatus(loggedIn, 200);
    const secondCookie = secret('owner second session', sessionCookie(loggedIn));
    answers.push({ label: 'log-in', response: loggedIn, allowed: [secondCookie] });

    // API tokens: create (the token once), Show token, use, Generate token (the old one stops).
    const created = await call(t.app, 'POST', '/v1/api-tokens', {
      ...owner,
      body: { name: 'ci', role: 'ADMIN' },
    });
    expectStatus(created, 201);
    const apiToken = secret('API token', created.json().token);
    answers.push({ label: 'create API token', response: created, allowed: [apiToken] });
    const tokenId = created.json().id;
    expectStatus(
      await api('show API token', 'GET', `/v1/api-tokens/${tokenId}/token`, owner, [apiToken]),
      200,
    );
    expectStatus(await api('use API token', 'GET', '/v1/agents', { as: { apiToken } }), 200);
    const regenerated = await call(t.app, 'POST', `/v1/api-tokens/${tokenId}/token`, owner);
    expectStatus(regenerated, 200);
    const newApiToken = secret('regenerated API token', regenerated.json().token);
    answers.push({ label: 'generate API token', response: regenerated, allowed: [newApiToken] });
    expectStatus(await api('old API token', 'GET', '/v1/agents', { as: { apiToken } }), 401);
    expectStatus(await api('new API token', 'GET', '/v1/api-tokens', { as: { apiToken: newApiToken } }), 200);

    // Agents: one runs for real; the other's token is generated anew.
    const agentCreated = await api('create agent', 'POST', '/v1/agents', {
      ...owner,
      body: { name: 'Warehouse' },
    });
    expectStatus(agentCreated, 201);
    const agentId = agentCreated.json().id;
    const shown = await call(t.app, 'GET', `/v1/agents/${agentId}/token`, owner);
    const agentToken = secret('agent token', shown.json().token);
    answers.push({ label: 'show agent token', response: shown, allowed: [agentToken] });
    const agentHome = path.join(workDir, 'agent-home');
    execFileSync('mkdir', ['-p', agentHome]);
    agent = await runAgent(baseUrl, agentToken, { home: agentHome });
    await waitFor(
      async () =>
        (await api('agent status', 'GET', `/v1/agents/${agentId}`, owner)).json().status === 'online',
      'the agent online',
      () => agent?.output() ?? '',
    );
    const spare = (
      await api('create agent', 'POST', '/v1/agents', { ...owner, body: { name: 'Spare' } })
    ).json().id;
    const spareShown = await call(t.app, 'GET', `/v1/agents/${spare}/token`, owner);
    const spareToken = secret('spare agent token', spareShown.json().token);
    answers.push({ label: 'show spare agent token', response: spareShown, allowed: [spareToken] });
    const spareNew = await call(t.app, 'POST', `/v1/agents/${spare}/token`, owner);
    expectStatus(spareNew, 200);
    const spareNewToken = secret('regenerated spare agent token', spareNew.json().token);
    answers.push({ label: 'generate agent token', response: spareNew, allowed: [spareNewToken] });

    // Connections of every auth type, Cloud and through the agent, and a SQL one; each tested.
    const basicUser = 'hygiene-user';
    const basicPassword = secret('basic password', fresh('basic-password'));
    secret('basic credentials (base64)', Buffer.from(`${basicUser}:${basicPassword}`).toString('base64'));
    const bearer = secret('bearer token', fresh('bearer-token'));
    const apiKey = secret('API key', fresh('api-key'));
    const clientSecret = secret('client secret', fresh('client-secret'));
    const codeClientSecret = secret('authorization code client secret', fresh('code-client-secret'));
    const sqlPassword = secret('SQL password', fresh('sql-password'));
    const onPremiseBearer = secret('on-premise bearer token', fresh('on-premise-bearer'));
    const auths: [string, Record<string, unknown>, Record<string, unknown>?][] = [
      ['none', { type: 'none' }],
      ['basic', { type: 'basic', username: basicUser, password: basicPassword }],
      ['bearer', { type: 'bearer', token: bearer }],
      ['api key', { type: 'api_key', header: 'X-Api-Key', value: apiKey }],
      [
        'client credentials',
        {
          type: 'oauth2_client_credentials',
          tokenUrl: `${serviceUrl}/oauth/token`,
          clientId: 'outpost',
          clientSecret,
        },
      ],
      [
        'client credentials (post)',
        {
          type: 'oauth2_client_credentials',
          tokenUrl: `${serviceUrl}/oauth/token`,
          clientId: 'outpost',
          clientSecret,
          clientAuth: 'client_secret_post',
        },
      ],
      [
        'authorization code',
        {
          type: 'oauth2_authorization_code',
          authorizeUrl: `${serviceUrl}/authorize`,
          tokenUrl: `${serviceUrl}/oauth/token`,
          clientId: 'outpost',
          clientSecret: codeClientSecret,
        },
      ],
      ['on premise', { type: 'bearer', token: onPremiseBearer }, { mode: 'ON_PREMISE', agentId }],
    ];
    const connections: Record<string, string> = {};
    for (const [name, auth, extra] of auths) {
      const response = await api(`create connection ${name}`, 'POST', '/v1/connections', {
        ...owner,
        body: { name, type: 'HTTP', http: { baseUri: serviceUrl, auth }, ...extra },
      });
      expectStatus(response, 201);
      connections[name] = response.json().id;
    }
    const dbUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres');
    const sql = await api('create SQL connection', 'POST', '/v1/connections', {
      ...owner,
      body: {
        name: 'warehouse db',
        type: 'POSTGRES',
        sql: {
          host: '127.0.0.1',
          port: Number(dbUrl.port || 5432),
          database: 'postgres',
          user: 'root',
          password: sqlPassword,
          tls: 'disable',
        },
      },
    });
    expectStatus(sql, 201);
    connections.sql = sql.json().id;

    // Connect (authorization code): the authorize URL's state, then the callback with a code.
    const authorize = await api(
      'authorize',
      'GET',
      `/v1/connections/${connections['authorization code']}/oauth/authorize`,
      owner,
    );
    expectStatus(authorize, 200);
    const state = new URL(authorize.json().url).searchParams.get('state') ?? '';
    expect(state).toMatch(STATE_PATTERN);
    secret('OAuth state', state);
    // The authorize answer hands the state out (in the URL to open): that answer only.
    answers.at(-1)?.allowed.push(state);
    const callback = await api(
      'OAuth callback',
      'GET',
      `/v1/oauth/callback?state=${encodeURIComponent(state)}&code=${encodeURIComponent(oauth.code)}`,
      owner,
    );
    expect(callback.statusCode, callback.body).toBe(302);

    for (const [name, id] of Object.entries(connections)) {
      const tested = await api(`test connection ${name}`, 'POST', `/v1/connections/${id}/test`, owner);
      expectStatus(tested, 200);
      expect(tested.json().ok, `${name}: ${tested.body}`).toBe(true);
      expectStatus(await api(`show connection ${name}`, 'GET', `/v1/connections/${id}`, owner), 200);
    }
    // The secrets reached the service (so they were real and used), in the clear only there.
    const seen = seenCredentials.join('\n');
    for (const value of [bearer, apiKey, oauth.access, oauth.codeAccess, onPremiseBearer])
      expect(seen).toContain(value);

    // A flow: export (bearer) → script → import (API key), run until it ends.
    const exportId = (
      await api('create export', 'POST', '/v1/exports', {
        ...owner,
        body: { name: 'orders', connectionId: connections.bearer, http: { path: '/orders' } },
      })
    ).json().id;
    const importId = (
      await api('create import', 'POST', '/v1/imports', {
        ...owner,
        body: { name: 'orders in', connectionId: connections['api key'], http: { path: '/in' } },
      })
    ).json().id;
    const scriptId = (
      await api('create script', 'POST', '/v1/scripts', {
        ...owner,
        body: {
          name: 'mark',
          kind: 'TRANSFORM',
          source: 'function transform(r) { return { ...r, seen: true }; }',
        },
      })
    ).json().id;
    const flow = await api('create flow', 'POST', '/v1/flows', {
      ...owner,
      body: { name: 'orders flow', exportId, importIds: [importId], scriptIds: [scriptId] },
    });
    expectStatus(flow, 201);
    const run = await api('run flow', 'POST', `/v1/flows/${flow.json().id}/runs`, owner);
    expectStatus(run, 202);
    await waitFor(
      async () =>
        ['succeeded', 'completed', 'failed'].includes(
          (await api('run status', 'GET', `/v1/runs/${run.json().id}`, owner)).json().status,
        ),
      'the run to end',
    );
    expect((await api('run', 'GET', `/v1/runs/${run.json().id}`, owner)).json().status).not.toBe('failed');
    expectStatus(await api('run errors', 'GET', `/v1/runs/${run.json().id}/errors`, owner), 200);

    // Everything listed, as a member and with the API token; the audit log; the downloads.
    for (const path of [
      '/v1/connections',
      '/v1/agents',
      '/v1/api-tokens',
      '/v1/audit-events?limit=200',
      '/v1/runs',
      '/v1/members',
      '/v1/me',
    ]) {
      await api(`list ${path}`, 'GET', path, owner);
      await api(`list ${path} as member`, 'GET', path, { as: { cookie: memberCookie } });
      await api(`list ${path} by token`, 'GET', path, { as: { apiToken: newApiToken } });
    }
    const unpacked: { file: string; text: string }[] = [];
    for (const system of ['linux', 'macos', 'windows']) {
      const download = await api(
        `download ${system}`,
        'GET',
        `/v1/agents/${agentId}/download?os=${system}`,
        owner,
      );
      expectStatus(download, 200);
      const folder = path.join(workDir, system);
      execFileSync('mkdir', ['-p', folder]);
      const archive = path.join(workDir, `agent-${system}`);
      writeFileSync(archive, download.rawPayload);
      if (system === 'windows') execFileSync('unzip', ['-q', archive, '-d', folder]);
      else execFileSync('tar', ['-xzf', archive, '-C', folder]);
      for (const file of filesUnder(folder))
        unpacked.push({ file, text: readFileSync(file).toString('latin1') });
    }
    expect(unpacked.length).toBeGreaterThan(3);
    expectStatus(await api('sign out', 'POST', '/v1/auth/logout', owner), 204);

    // The agent: its output, and its home but for the config file (which holds the token, 0600).
    const home = agent.home;
    await agent.stop();
    const agentFiles = filesUnder(home).filter((file) => path.basename(file) !== 'outpost-agent.json');
    const configFile = path.join(home, 'outpost-agent.json');
    const configMode = (() => {
      try {
        return statSync(configFile).mode & 0o777;
      } catch {
        return undefined;
      }
    })();
    if (configMode !== undefined) expect(configMode.toString(8)).toBe('600');
    const agentOutput = agent.output();
    agent = undefined;

    // The search.
    const database = await everyRowAsText(t.db);
    const dump = await pgDump(t.db);
    expect(database).toContain(ownerEmail); // the dumps hold the journey…
    expect(dump).toContain(ownerEmail);
    expect(logLines.length).toBeGreaterThan(100);
    expect(t.app.log.level).toBe('debug');
    const haystacks: { where: string; text: string; allowed?: string[] }[] = [
      { where: 'the API log', text: logLines.join('\n') },
      { where: 'the database', text: database },
      { where: 'pg_dump', text: dump },
      { where: "the agent's output", text: agentOutput },
      ...agentFiles.map((file) => ({ where: file, text: readFileSync(file).toString('latin1') })),
      ...unpacked.map(({ file, text }) => ({ where: `download ${path.relative(workDir, file)}`, text })),
      ...answers.map(({ label, response, allowed }) => ({
        where: `the answer to ${label}`,
        text: `${JSON.stringify(response.headers)}\n${response.rawPayload.toString('latin1')}`,
        allowed,
      })),
    ];
    const leaks: string[] = [];
    for (const [label, value] of secrets) {
      for (const { where, text, allowed } of haystacks) {
        if (allowed?.includes(value)) continue;
        if (text.includes(value)) leaks.push(`${label} in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
    // …and the whitelisted answers hand out each token exactly where allowed.
    for (const { label, response, allowed } of answers) {
      for (const value of allowed)
        expect(`${JSON.stringify(response.headers)}${response.body}`, label).toContain(value);
    }
  }, 120_000);
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
