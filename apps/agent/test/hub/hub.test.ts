import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../../../api/test/helpers.ts';
import { runAgent as runAgentProcess } from './agent-process.ts';

const HEARTBEAT_MS = 1000;
let t: TestApp;
let owner: SignedUp;
let baseUrl: string;
let upstream: http.Server;
let upstreamUrl: string;

beforeAll(async () => {
  t = await startTestApp({ OUTPOST_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  owner = await signUp(t.app);
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  upstream = http.createServer((request, response) => {
    if (request.url === '/big') return void response.end(Buffer.alloc(5 * 1024 * 1024, 7));
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => response.end(JSON.stringify({ path: request.url, bytes })));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream?.closeAllConnections();
  upstream?.close();
  await t?.close();
});

async function newAgent(name: string) {
  const agent = (
    await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name } })
  ).json();
  const { token } = (
    await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: { cookie: owner.cookie } })
  ).json();
  return { id: agent.id as string, token: token as string };
}

const runAgent = (token: string, url = baseUrl) => runAgentProcess(url, token);

/**
 * A TCP relay to the hub whose open connections can go silent without closing, as a half-open
 * connection does (a NAT that forgot it, a cable pulled somewhere in between).
 */
async function silenceableRelay() {
  const target = new URL(baseUrl);
  const pairs: [net.Socket, net.Socket][] = [];
  const relay = net.createServer((client) => {
    const hub = net.connect(Number(target.port), target.hostname);
    client.pipe(hub).pipe(client);
    client.on('error', () => hub.destroy());
    hub.on('error', () => client.destroy());
    pairs.push([client, hub]);
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    silence() {
      for (const [client, hub] of pairs.splice(0)) {
        client.unpipe(hub);
        hub.unpipe(client);
      }
    },
    close() {
      for (const [client, hub] of pairs) {
        client.destroy();
        hub.destroy();
      }
      relay.close();
    },
  };
}

const getAgent = async (id: string) =>
  (await call(t.app, 'GET', `/v1/agents/${id}`, { as: { cookie: owner.cookie } })).json();

describe('the agent against the real hub', () => {
  it('comes online, runs ping and http with a streamed body, and stops with exit 3 when its token is regenerated', async () => {
    const { id, token } = await newAgent('e2e');
    const agent = await runAgent(token);
    try {
      await expect.poll(agent.output, { timeout: 15_000 }).toContain(`as agent ${id}`);
      await expect.poll(() => getAgent(id).then((view) => view.status)).toBe('online');

      const pong = await t.app.hub.request(
        id,
        { kind: 'ping', input: { payload: 'hi' } },
        { deadline: Date.now() + 5_000 },
      );
      expect(pong.result).toMatchObject({ payload: 'hi' });

      const big = await t.app.hub.request(
        id,
        { kind: 'http', input: { method: 'GET', url: `${upstreamUrl}/big` } },
        { deadline: Date.now() + 20_000 },
      );
      expect(big.result).toMatchObject({ status: 200 });
      let total = 0;
      for await (const chunk of big.body ?? []) total += (chunk as Buffer).length;
      expect(total).toBe(5 * 1024 * 1024);

      async function* upload() {
        for (let i = 0; i < 12; i++) yield Buffer.alloc(512 * 1024, i);
      }
      const posted = await t.app.hub.request(
        id,
        { kind: 'http', input: { method: 'POST', url: `${upstreamUrl}/upload` } },
        { deadline: Date.now() + 20_000, body: upload() },
      );
      let answer = '';
      for await (const chunk of posted.body ?? []) answer += String(chunk);
      expect(JSON.parse(answer)).toEqual({ path: '/upload', bytes: 6 * 1024 * 1024 });

      const denied = t.app.hub.request(
        id,
        { kind: 'http', input: { method: 'GET', url: 'http://169.254.169.254/' } },
        { deadline: Date.now() + 5_000 },
      );
      await expect(denied).rejects.toMatchObject({
        message: expect.stringContaining("blocked by this agent's local policy"),
      });

      await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } });
      expect(await agent.exited).toBe(3);
      expect(agent.output()).toContain('token revoked: enter the new token with `outpost-agent token set`');
      expect(agent.output()).not.toContain(token);
    } finally {
      await agent.stop();
    }
  });

  it('exits 3 at once when the token is refused at the upgrade', async () => {
    const { id, token } = await newAgent('refused');
    await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } });
    const agent = await runAgent(token);
    try {
      expect(await agent.exited).toBe(3);
      expect(agent.output()).toContain('the token was refused (revoked or mistyped)');
    } finally {
      await agent.stop();
    }
  });

  it('finishes gracefully on SIGTERM: closes with 1000 and exits 0', async () => {
    const { id, token } = await newAgent('graceful');
    const agent = await runAgent(token);
    try {
      await expect.poll(agent.output, { timeout: 15_000 }).toContain(`as agent ${id}`);
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      await expect.poll(() => getAgent(id).then((view) => view.status)).toBe('offline');
    } finally {
      await agent.stop();
    }
  });

  it('notices a silent connection within three heartbeats and reconnects', async () => {
    const { id, token } = await newAgent('half-open');
    const relay = await silenceableRelay();
    const agent = await runAgent(token, relay.url);
    try {
      await expect.poll(agent.output, { timeout: 15_000 }).toContain(`as agent ${id}`);
      relay.silence();
      await expect
        .poll(agent.output, { timeout: 15_000 })
        .toMatch(/disconnected \(1006, heard nothing from Outpost for 3\.0 s\); reconnecting in/);
      await expect.poll(() => agent.output().split(`as agent ${id}`).length - 1, { timeout: 30_000 }).toBe(2);
    } finally {
      await agent.stop();
      relay.close();
    }
  });
});

const status = (id: string) => getAgent(id).then((view) => view.status as string);

async function onlineAgent(name: string) {
  const { id, token } = await newAgent(name);
  const agent = await runAgent(token);
  await expect.poll(agent.output, { timeout: 15_000 }).toContain(`as agent ${id}`);
  await expect.poll(() => status(id)).toBe('online');
  return { id, agent };
}

describe('the agent process going away, or stalling', () => {
  it('fails a request in flight with agent_offline at once, long before its deadline, when the agent is killed', async () => {
    // An upstream that takes requests and never answers them.
    const arrived: http.ServerResponse[] = [];
    const silent = http.createServer((_request, response) => void arrived.push(response));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { id, agent } = await onlineAgent('killed mid-request');
    try {
      const deadline = Date.now() + 60_000;
      const answer = t.app.hub
        .request(
          id,
          {
            kind: 'http',
            input: { method: 'GET', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/never` },
          },
          { deadline },
        )
        .then(
          () => ({ code: 'answered', at: Date.now() }),
          (error: { code: string }) => ({ code: error.code, at: Date.now() }),
        );
      await expect.poll(() => arrived.length, { timeout: 10_000 }).toBe(1);
      agent.child.kill('SIGKILL');
      const failure = await answer;
      expect(failure.code).toBe('agent_offline');
      expect(deadline - failure.at).toBeGreaterThan(45_000);
      await expect.poll(() => status(id)).toBe('offline');
    } finally {
      await agent.stop();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('is marked offline within three heartbeats when stopped (SIGSTOP), and comes back by itself on SIGCONT', async () => {
    const { id, agent } = await onlineAgent('stopped');
    const pid = agent.child.pid ?? 0;
    try {
      process.kill(pid, 'SIGSTOP');
      // The hub closes a socket that answered no ping for two intervals; it checks once an interval.
      await expect
        .poll(() => status(id), { timeout: 3 * HEARTBEAT_MS + 1_500, interval: 100 })
        .toBe('offline');
      process.kill(pid, 'SIGCONT');
      await expect.poll(() => agent.output().split(`as agent ${id}`).length - 1, { timeout: 15_000 }).toBe(2);
      await expect.poll(() => status(id)).toBe('online');
      const pong = await t.app.hub.request(id, { kind: 'ping', input: {} }, { deadline: Date.now() + 5_000 });
      expect(pong.result).toMatchObject({ receivedAt: expect.any(String) });
    } finally {
      await agent.stop();
    }
  });
});

describe('many requests at once', () => {
  it('carries 100 concurrent http requests through one agent, each to its own answer', async () => {
    const { id, agent } = await onlineAgent('busy');
    try {
      const answers = await Promise.all(
        Array.from({ length: 100 }, async (_, index) => {
          const { result, body } = await t.app.hub.request(
            id,
            {
              kind: 'http',
              input: {
                method: 'POST',
                url: `${upstreamUrl}/orders/${index}`,
                bodyBase64: Buffer.alloc(index * 100, index).toString('base64'),
              },
            },
            { deadline: Date.now() + 30_000 },
          );
          let text = '';
          for await (const chunk of body ?? []) text += String(chunk);
          return { status: (result as { status: number }).status, body: JSON.parse(text) };
        }),
      );
      for (const [index, answer] of answers.entries())
        expect(answer).toEqual({ status: 200, body: { path: `/orders/${index}`, bytes: index * 100 } });
    } finally {
      await agent.stop();
    }
  });
});
