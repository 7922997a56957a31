import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT } from '../../../packages/connectors/test/fixtures/test-servers.mjs';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SSRF_MESSAGE } from '../src/lib/ssrf/guard.ts';
import { getConnection, runSqlQuery, sendHttpRequest } from '../src/modules/connections/service.ts';
import { exchangeToken } from '../src/modules/connections/tokens.ts';
import { AGENT_DIST_DIR, call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

/**
 * A private network, for real: a network namespace joined to this one by a veth pair, holding an
 * HTTP API, an OAuth 2.0 authorization server and a PostgreSQL server on an address the root
 * namespace has no route to. The built agent runs inside it and dials out to the API, which stays
 * outside. Needs root and iproute2 (`ip netns`); without them this file fails, it never skips.
 */

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const AGENT_BUNDLE = path.join(AGENT_DIST_DIR, 'outpost-agent.cjs');
const SERVERS_SCRIPT = path.resolve(
  import.meta.dirname,
  '../../../packages/connectors/test/fixtures/test-servers.mjs',
);
const PG_PASSWORD = `pg-${randomBytes(8).toString('hex')}`;
const HTTP_PORT = 8080;
const OAUTH_PORT = 9000;
const DENIED_PORT = 9999;

const id = randomBytes(3).toString('hex');
const namespace = `outpost-test-${id}`;
const rootLink = `op${id}a`;
const namespaceLink = `op${id}b`;
/** Chosen in beforeAll: the veth pair's /30 and the private LAN address behind it. */
const net = { root: '', inside: '', lan: '', lanNetwork: '' };

const cleanups: (() => Promise<void> | void)[] = [];
let t: TestApp;
let owner: SignedUp;
let agentId: string;
let agentLog = '';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inside(...command: string[]): string[] {
  return ['netns', 'exec', namespace, ...command];
}

/** Starts a process in the namespace; it is stopped by pid in afterAll. */
function spawnInside(
  command: string[],
  options: { env?: NodeJS.ProcessEnv; stopSignal?: NodeJS.Signals } = {},
) {
  const child: ChildProcess = spawn('ip', inside(...command), {
    env: options.env ?? { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    process.kill(child.pid, options.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  return child;
}

/** 10.a.b.0/30 for the link and 172.c.b.10 for the LAN: neither may be in use on this machine. */
function chooseAddresses(): void {
  const inUse = `${ip('-4', 'addr')}\n${ip('-4', 'route')}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const [a, b, c] = [randomInt(16, 250), randomInt(1, 250), randomInt(16, 32)];
    if (inUse.includes(`10.${a}.${b}.`) || inUse.includes(`172.${c}.${b}.`)) continue;
    Object.assign(net, {
      root: `10.${a}.${b}.1`,
      inside: `10.${a}.${b}.2`,
      lan: `172.${c}.${b}.10`,
      lanNetwork: `172.${c}.${b}.0/24`,
    });
    return;
  }
  throw new Error('no free private addresses for the test network');
}

async function buildNetwork(): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new Error('The private-network test needs Linux and root (ip netns); run the tests as root.');
  try {
    ip('netns', 'list');
  } catch (error) {
    throw new Error(`The private-network test needs iproute2's "ip netns": ${String(error)}`);
  }
  chooseAddresses();
  ip('netns', 'add', namespace);
  cleanups.push(() => void ip('netns', 'delete', namespace));
  ip('link', 'add', rootLink, 'type', 'veth', 'peer', 'name', namespaceLink);
  cleanups.push(() => {
    // Deleting one end deletes the pair; gone already when the namespace went first.
    if (ip('-br', 'link').includes(rootLink)) ip('link', 'delete', rootLink);
  });
  ip('link', 'set', namespaceLink, 'netns', namespace);
  ip('addr', 'add', `${net.root}/30`, 'dev', rootLink);
  ip('link', 'set', rootLink, 'up');
  ip(...inside('ip', 'addr', 'add', `${net.inside}/30`, 'dev', namespaceLink));
  ip(...inside('ip', 'link', 'set', namespaceLink, 'up'));
  ip(...inside('ip', 'link', 'set', 'lo', 'up'));
  // The LAN's servers listen on an address of the namespace alone. The root namespace would send
  // it to its default gateway: this route keeps the attempt on this machine (refused at once).
  ip(...inside('ip', 'addr', 'add', `${net.lan}/32`, 'dev', 'lo'));
  ip('route', 'add', 'unreachable', net.lanNetwork);
  cleanups.push(() => void ip('route', 'delete', 'unreachable', net.lanNetwork));

  // Names on the agent's network: `ip netns exec` shows this file as /etc/hosts inside.
  const createdNetnsDir = !existsSync('/etc/netns');
  await mkdir(`/etc/netns/${namespace}`, { recursive: true });
  await writeFile(
    `/etc/netns/${namespace}/hosts`,
    `127.0.0.1 localhost\n${net.lan} erp.corp.test auth.corp.test db.corp.test\n`,
  );
  cleanups.push(async () => {
    await rm(`/etc/netns/${namespace}`, { recursive: true, force: true });
    if (createdNetnsDir) await rmdir('/etc/netns').catch(() => {});
  });
}

async function startServers(): Promise<void> {
  const servers = spawnInside([
    process.execPath,
    SERVERS_SCRIPT,
    net.lan,
    String(HTTP_PORT),
    String(OAUTH_PORT),
  ]);
  const [line] = await Promise.race([
    once(createInterface({ input: servers.stdout as NodeJS.ReadableStream }), 'line') as Promise<[string]>,
    once(servers, 'exit').then(() => {
      throw new Error('the test servers did not start in the namespace');
    }),
  ]);
  expect(JSON.parse(line)).toEqual({ httpPort: HTTP_PORT, oauthPort: OAUTH_PORT });
}

async function startPostgres(): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'outpost-private-pg-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  await chmod(directory, 0o700);
  await chown(directory, uidOf('postgres'), gidOf('postgres'));
  await writeFile(path.join(directory, 'password'), PG_PASSWORD);
  await chown(path.join(directory, 'password'), uidOf('postgres'), gidOf('postgres'));
  const asPostgres = ['setpriv', '--reuid', 'postgres', '--regid', 'postgres', '--clear-groups'];
  const data = path.join(directory, 'data');
  execFileSync(
    'ip',
    inside(
      ...asPostgres,
      `${POSTGRES_BIN}/initdb`,
      '-D',
      data,
      '-U',
      'outpost',
      '--auth=scram-sha-256',
      `--pwfile=${path.join(directory, 'password')}`,
      '-E',
      'UTF8',
      '--no-sync',
    ),
    { stdio: 'ignore' },
  );
  await writeFile(path.join(data, 'pg_hba.conf'), 'host all all 0.0.0.0/0 scram-sha-256\n', { flag: 'a' });
  const server = spawnInside(
    [
      ...asPostgres,
      `${POSTGRES_BIN}/postgres`,
      '-D',
      data,
      '-c',
      `listen_addresses=${net.lan}`,
      '-c',
      'port=5432',
      '-c',
      `unix_socket_directories=${directory}`,
      '-c',
      'fsync=off',
    ],
    { stopSignal: 'SIGINT' },
  );
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  await waitFor(
    () => log.includes('ready to accept connections'),
    'PostgreSQL to start',
    () => log,
  );
}

/** Polls until `ready` holds (expect.poll works only inside a test, not in beforeAll). */
async function waitFor(
  ready: () => boolean | Promise<boolean>,
  what: string,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

async function startAgent(apiUrl: string, token: string): Promise<void> {
  if (!existsSync(AGENT_BUNDLE))
    throw new Error(`The agent bundle is missing (${AGENT_BUNDLE}): run pnpm --filter @outpost/agent build`);
  const home = await mkdtemp(path.join(os.tmpdir(), 'outpost-private-agent-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  // The customer's local policy: one port of the LAN is off limits to this agent.
  await writeFile(
    path.join(home, 'outpost-agent.json'),
    `${JSON.stringify({ policy: { deny: [`*:${DENIED_PORT}`] }, autoUpgrade: false })}\n`,
    { mode: 0o600 },
  );
  const agent = spawnInside([process.execPath, AGENT_BUNDLE, 'start', '--url', apiUrl], {
    env: { PATH: process.env.PATH, OUTPOST_AGENT_HOME: home, OUTPOST_AGENT_TOKEN: token },
  });
  for (const stream of [agent.stdout, agent.stderr])
    stream?.on('data', (chunk: Buffer) => {
      agentLog += chunk.toString();
    });
}

beforeAll(async () => {
  try {
    await buildNetwork();
    await Promise.all([startServers(), startPostgres()]);
    t = await startTestApp({ OUTPOST_AGENT_HEARTBEAT_MS: '2000' });
    cleanups.push(() => t.close());
    const apiUrl = await t.app.listen({ port: 0, host: net.root });
    owner = await signUp(t.app);
    const agent = await as('POST', '/v1/agents', { name: 'LAN agent' });
    agentId = agent.json().id;
    const { token } = (await as('GET', `/v1/agents/${agentId}/token`)).json();
    await startAgent(apiUrl, token);
    await waitFor(
      async () => (await as('GET', `/v1/agents/${agentId}`)).json().status === 'online',
      'the agent to come online',
      () => agentLog,
    );
  } catch (error) {
    throw new Error(`${String(error)}\nagent log:\n${agentLog}`);
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
