import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabaseClient } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AgentProcess, runAgent } from '../../agent/test/hub/agent-process.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SecretBox } from '../src/lib/secret-box.ts';
import { HubError } from '../src/modules/hub/errors.ts';
import { LINK_PATH } from '../src/scale/link-frames.ts';
import { AGENT_DIST_DIR } from './helpers.ts';
import { connectLightAgent } from './light-agent.ts';
import {
  api,
  deleteKeys,
  freePort,
  REDIS_URL,
  requireRedis,
  testPrefix,
  until,
} from './scale-out/cluster.ts';
import { setUpTenant } from './scale-out/tenant.ts';
import { startTarget, type Target } from './support/target.ts';

// Three API instances in this process (each with its own Redis clients and port), one database,
// one Redis: a real agent on A; requests issued on B and C.
const MiB = 2 ** 20;
const key = randomBytes(32);
const prefix = testPrefix();
let database: TestDatabase;
let target: Target;
let agent: AgentProcess;
const instances: { app: FastifyInstance; url: string; close(): Promise<void> }[] = [];
let apiToken: string;
let agentId: string;
let connectionId: string;

async function startInstance(env: Record<string, string> = {}) {
  const port = await freePort();
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-scale-routing-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: String(port),
    OUTPOST_DATA_DIR: dataDir,
    REDIS_URL,
    OUTPOST_REDIS_PREFIX: prefix,
    OUTPOST_INTERNAL_URL: `http://127.0.0.1:${port}`,
    OUTPOST_AGENT_HEARTBEAT_MS: '1000',
    OUTPOST_AUTH_RATE_LIMIT: '5',
    ...env,
  });
  const app = await buildApp({ config, db, secrets: new SecretBox(key), agentDistDir: AGENT_DIST_DIR });
  const url = await app.listen({ port, host: '127.0.0.1' });
  const instance = {
    app,
    url,
    async close() {
      await app.close();
      await db.$disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  instances.push(instance);
  return instance;
}

function at(index: number) {
  const instance = instances[index];
  if (!instance) throw new Error('not started');
  return instance;
}
const A = () => at(0);
const B = () => at(1);
const C = () => at(2);

beforeAll(async () => {
  await requireRedis();
  database = await createTestDatabase();
  target = await startTarget();
  for (let index = 0; index < 3; index++) await startInstance();
  ({ apiToken } = await setUpTenant(A().url));
  const created = await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'vm1' });
  agentId = created.json.id;
  const { json } = await api<{ token: string }>(A().url, apiToken, 'GET', `/v1/agents/${agentId}/token`);
  agent = await runAgent(A().url, json.token);
  await until(async () => A().app.hub.isOnline(agentId), 'the agent to connect to A');
  const connection = await api<{ id: string }>(B().url, apiToken, 'POST', '/v1/connections', {
    name: 'target',
    type: 'HTTP',
    mode: 'ON_PREMISE',
    agentId,
    http: { baseUri: `${target.url}/` },
  });
  expect(connection.status).toBe(201);
  connectionId = connection.json.id;
});

afterAll(async () => {
  await agent?.stop();
  for (const instance of instances) await instance.close();
  await target?.close();
  await database?.drop();
  await deleteKeys(prefix);
});

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function* bytes(total: number): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; sent += 64 * 1024) yield randomBytes(Math.min(64 * 1024, total - sent));
}

describe('scale-out: requests reach the agent wherever it is connected', () => {
  it('answers on B and C, through the agent on A, and counts the hop in /metrics', async () => {
    expect(B().app.hub.isOnline(agentId)).toBe(false);
    for (const instance of [B(), C()]) {
      const response = await fetch(`${instance.url}/v1/connections/${connectionId}/http`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'GET', path: `/bytes?n=${5 * MiB}` }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-outpost-upstream-status')).toBe('200');
      expect((await response.arrayBuffer()).byteLength).toBe(5 * MiB);
    }
    const metrics = await (await fetch(`${B().url}/metrics`)).text();
    expect(metrics).toMatch(/outpost_agent_requests_routed_total\{direction="out"\} [1-9]/);
    expect(metrics).toMatch(/outpost_agent_request_duration_seconds_count\{op="http",outcome="ok"\} [1-9]/);
    const onA = await (await fetch(`${A().url}/metrics`)).text();
    expect(onA).toMatch(/outpost_agent_requests_routed_total\{direction="in"\} [1-9]/);
    expect(onA).toMatch(/^outpost_agents_connected 1$/m);
    expect(onA).toMatch(/^outpost_db_pool_connections \d+$/m);
  });

  it('streams several MiB to the agent and back, from B, with flow control both ways', async () => {
    const sent: Buffer[] = [];
    async function* recorded() {
      for await (const chunk of bytes(6 * MiB)) {
        sent.push(chunk);
        yield chunk;
      }
    }
    const { result, body } = await B().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'POST', url: `${target.url}/echo` } },
      { deadline: Date.now() + 30_000, body: recorded() },
    );
    expect(result).toMatchObject({ status: 200 });
    if (!body) throw new Error('no body');
    const received: Buffer[] = [];
    for await (const chunk of body) received.push(chunk as Buffer);
    expect(Buffer.concat(received).length).toBe(6 * MiB);
    expect(sha256(Buffer.concat(received))).toBe(sha256(Buffer.concat(sent)));
  });

  it('keeps the typed errors across the hop: agent_error with its code, timeout, cancelled', async () => {
    const closedPort = await freePort();
    const refused = B().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'GET', url: `http://127.0.0.1:${closedPort}/` } },
      { deadline: Date.now() + 10_000 },
    );
    await expect(refused).rejects.toMatchObject({ code: 'agent_error', agentCode: 'connection_refused' });
    await expect(refused).rejects.toBeInstanceOf(HubError);

    const late = C().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'GET', url: `${target.url}/slow?ms=3000` } },
      { deadline: Date.now() + 300 },
    );
    await expect(late).rejects.toMatchObject({ code: 'timeout' });

    const abort = new AbortController();
    const cancelled = C().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'GET', url: `${target.url}/slow?ms=3000` } },
      { deadline: Date.now() + 10_000, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 100);
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a consumer that abandons a streamed body on C stops the agent; the next request works', async () => {
    const { body } = await C().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'GET', url: `${target.url}/bytes?n=${64 * MiB}` } },
      { deadline: Date.now() + 30_000 },
    );
    if (!body) throw new Error('no body');
    for await (const _ of body) break; // one chunk, then give up
    await until(async () => {
      const metrics = await (await fetch(`${A().url}/metrics`)).text();
      return !/outpost_agent_requests_in_flight\{op="http"\} [1-9]/.test(metrics);
    }, 'nothing in flight');
    const { result } = await C().app.hub.request(
      agentId,
      { kind: 'http', input: { method: 'GET', url: `${target.url}/bytes?n=10` } },
      { deadline: Date.now() + 10_000 },
    );
    expect(result).toMatchObject({ status: 200 });
  });

  it('says agent_offline at once for an agent connected nowhere', async () => {
    const created = await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'never' });
    await expect(
      B().app.hub.request(created.json.id, { kind: 'ping', input: {} }, { deadline: Date.now() + 10_000 }),
    ).rejects.toMatchObject({ code: 'agent_offline' });
  });
});

describe('scale-out: revocations, presence and limits are shared', () => {
  it('a token regenerated on C closes the session on A within 1 s', async () => {
    const created = await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'revoked' });
    const { json } = await api<{ token: string }>(
      A().url,
      apiToken,
      'GET',
      `/v1/agents/${created.json.id}/token`,
    );
    const light = await connectLightAgent(A().url, json.token);
    await light.welcome();
    const started = Date.now();
    const regenerated = await api(C().url, apiToken, 'POST', `/v1/agents/${created.json.id}/token`);
    expect(regenerated.status).toBe(200);
    const closed = await light.closed;
    expect(closed.code).toBe(CloseCode.TOKEN_REVOKED);
    expect(Date.now() - started).toBeLessThan(1_000);
    const metrics = await (await fetch(`${A().url}/metrics`)).text();
    expect(metrics).toMatch(/^outpost_agent_sessions_closed_total\{reason="token_revoked"\} 1$/m);
    expect(metrics).toMatch(/^outpost_agent_sessions_opened_total [2-9]$/m);
  });

  it('after its event bus was cut off, an instance closes the sessions whose tokens changed meanwhile', async () => {
    const created = await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'missed' });
    const { json } = await api<{ token: string }>(
      A().url,
      apiToken,
      'GET',
      `/v1/agents/${created.json.id}/token`,
    );
    const light = await connectLightAgent(A().url, json.token);
    await light.welcome();
    // A revocation that A never hears of (as if Redis were unreachable when it was published)…
    await A().app.db.agent.update({ where: { id: created.json.id }, data: { tokenDigest: 'x'.repeat(64) } });
    // …then A's subscription to the event bus breaks and comes back.
    const admin = new Redis(REDIS_URL);
    try {
      const name = `outpost-api-${A().app.scale?.instanceId}-events`;
      const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
      const id = clients
        .split('\n')
        .find((line) => line.includes(` name=${name} `))
        ?.match(/^id=(\d+)/)?.[1];
      if (!id) throw new Error(`no Redis client named ${name}`);
      await admin.client('KILL', 'ID', id);
    } finally {
      admin.disconnect();
    }
    const closed = await light.closed;
    expect(closed.code).toBe(CloseCode.TOKEN_REVOKED);
  });

  it('shows an agent online on every instance, and refuses a second session of it on another instance', async () => {
    const listed = await api<{ status: string }>(C().url, apiToken, 'GET', `/v1/agents/${agentId}`);
    expect(listed.json.status).toBe('online');
    const { json } = await api<{ token: string }>(C().url, apiToken, 'GET', `/v1/agents/${agentId}/token`);
    const second = await connectLightAgent(C().url, json.token);
    const closed = await second.closed;
    expect(closed.code).toBe(CloseCode.DUPLICATE_SESSION);
    expect(closed.reason).toMatch(/already connected from/);
    expect(A().app.hub.isOnline(agentId)).toBe(true);
  });

  it('counts log-in attempts on A and B against one limit', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const instance = attempt % 2 === 0 ? A() : B();
      const response = await fetch(`${instance.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-outpost-client': 'test' },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password here' }),
      });
      statuses.push(response.status);
    }
    // OUTPOST_AUTH_RATE_LIMIT is 5: the sixth attempt is refused, though each instance saw only three.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('counts agent connection attempts with one token on A and B against one limit', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 31; attempt++) {
      const instance = attempt % 2 === 0 ? A() : B();
      const status = await connectLightAgent(instance.url, 'opa_not-a-real-token-at-all').then(
        () => 101,
        (error: { status?: number }) => error.status ?? 0,
      );
      statuses.push(status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('scale-out: the link between instances', () => {
  const linkUrl = () => `${A().url.replace(/^http/, 'ws')}${LINK_PATH}`;
  const token = () => A().app.scale?.linkToken ?? '';

  it('refuses a caller without the link secret', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(linkUrl(), { headers: { authorization: 'Bearer not-the-secret' } });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => resolve(101));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it('closes a link that sends a malformed frame, and only that link', async () => {
    const slow = (id: number) =>
      JSON.stringify({
        type: 'request',
        id,
        agentId,
        deadline: Date.now() + 10_000,
        op: { kind: 'http', input: { method: 'GET', url: `${target.url}/slow?ms=2000` } },
      });
    for (const garbage of [
      ['not json'],
      [JSON.stringify({ type: 'request', id: 0 })],
      [Buffer.from([9, 0, 0, 0, 1])],
      // Callers send only request bodies.
      [encodeChunk(BinaryKind.RESPONSE_BODY, 1, Buffer.from('x'))],
      // One id, twice in flight.
      [slow(7), slow(7)],
    ]) {
      const socket = new WebSocket(linkUrl(), { headers: { authorization: `Bearer ${token()}` } });
      await new Promise((resolve) => socket.once('open', resolve));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      for (const frame of garbage) socket.send(frame);
      expect(await closed).toBe(4004);
    }
    // A still serves, and still answers requests routed from B.
    expect((await fetch(`${A().url}/readyz`)).status).toBe(200);
    const { result } = await B().app.hub.request(
      agentId,
      { kind: 'ping', input: {} },
      { deadline: Date.now() + 10_000 },
    );
    expect(result).toBeDefined();
  });

  it('answers agent_offline (not delivered) for an agent the holder does not have', async () => {
    const socket = new WebSocket(linkUrl(), { headers: { authorization: `Bearer ${token()}` } });
    await new Promise((resolve) => socket.once('open', resolve));
    const answer = new Promise<unknown>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    socket.send(
      JSON.stringify({
        type: 'request',
        id: 1,
        agentId: randomUUID(),
        deadline: Date.now() + 5_000,
        op: { kind: 'ping', input: {} },
      }),
    );
    expect(await answer).toMatchObject({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'agent_offline', notDelivered: true },
    });
    socket.close();
  });
});

describe('scale-out: readiness', () => {
  it('/readyz answers 200 while the database and Redis answer; /metrics asks for its token when one is set', async () => {
    expect((await fetch(`${C().url}/readyz`)).status).toBe(200);
    const guarded = await startInstance({ OUTPOST_METRICS_TOKEN: 'scrape-secret' });
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${guarded.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-secret' },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/process_cpu_user_seconds_total/);
  });

  it('/readyz answers 503 while Redis is unreachable', async () => {
    const unreachable = await startInstance({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const response = await fetch(`${unreachable.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable', message: /Redis/ } });
  });
});
