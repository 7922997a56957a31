import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '../src/modules/hub/errors.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';
import { connectLightAgent, helloFrame, type LightAgent } from './light-agent.ts';

let t: TestApp;
let owner: SignedUp;
let baseUrl: string;
const HEARTBEAT_MS = 300;

beforeAll(async () => {
  t = await startTestApp({ OUTPOST_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  owner = await signUp(t.app);
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

async function newAgent(name: string): Promise<{ id: string; token: string }> {
  const agent = (
    await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name } })
  ).json();
  const token = (
    await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: { cookie: owner.cookie } })
  ).json().token;
  return { id: agent.id, token };
}

async function online(name: string): Promise<{ id: string; token: string; agent: LightAgent }> {
  const created = await newAgent(name);
  const agent = await connectLightAgent(baseUrl, created.token);
  await agent.welcome();
  return { ...created, agent };
}

const getAgent = async (id: string) =>
  (await call(t.app, 'GET', `/v1/agents/${id}`, { as: { cookie: owner.cookie } })).json();

describe('the hub: connecting', () => {
  it('refuses a missing, malformed, unknown or revoked token with 401 and no socket', async () => {
    const { id, token } = await newAgent('refused');
    await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } });
    for (const bad of ['', 'opa_garbage', `${token.slice(0, -1)}x`, token]) {
      await expect(connectLightAgent(baseUrl, bad)).rejects.toMatchObject({ status: 401 });
    }
  });

  it('welcomes an agent and shows it online with its version, host and OS', async () => {
    const { id, agent } = await online('welcomed');
    const welcome = agent.frames.find((frame) => frame.type === 'welcome');
    expect(welcome).toMatchObject({ agentId: id, heartbeatMs: HEARTBEAT_MS, autoUpgrade: true });
    await expect
      .poll(() => getAgent(id))
      .toMatchObject({
        status: 'online',
        version: '0.1.0',
        hostname: 'test-host',
        os: 'linux',
        arch: 'x64',
        ipAddress: '127.0.0.1',
      });
    agent.socket.close();
    await expect.poll(() => getAgent(id).then((view) => view.status)).toBe('offline');
  });

  it('refuses a second session while the first is healthy, naming where the first runs', async () => {
    const { token, agent } = await online('duplicate');
    const second = await connectLightAgent(baseUrl, token, {
      hello: helloFrame({ hostname: 'other-host', pid: 7 }),
    });
    const closed = await second.closed;
    expect(closed.code).toBe(CloseCode.DUPLICATE_SESSION);
    expect(closed.reason).toContain('test-host (pid 4242)');
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    agent.socket.close();
  });

  it('replaces a session that missed its heartbeats', async () => {
    const created = await newAgent('replaced');
    const stale = await connectLightAgent(baseUrl, created.token, { autoPong: false });
    await stale.welcome();
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2.2));
    const fresh = await connectLightAgent(baseUrl, created.token);
    await fresh.welcome();
    // Replaced by the new session, or already cut by the heartbeat check (no close frame: 1006).
    expect([CloseCode.REPLACED, 1006]).toContain((await stale.closed).code);
    fresh.socket.close();
  });

  it('cuts the session within a second of Generate token, and the new token connects', async () => {
    const { id, agent } = await online('regenerated');
    const started = Date.now();
    const fresh = (
      await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } })
    ).json().token;
    const closed = await agent.closed;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(closed).toEqual({ code: CloseCode.TOKEN_REVOKED, reason: 'token revoked' });
    const again = await connectLightAgent(baseUrl, fresh);
    await again.welcome();
    again.socket.close();
  });

  it('cuts the session when the agent is deleted', async () => {
    const { id, agent } = await online('deleted');
    await call(t.app, 'DELETE', `/v1/agents/${id}`, { as: { cookie: owner.cookie } });
    expect((await agent.closed).code).toBe(CloseCode.AGENT_DELETED);
  });

  it('tells an agent with a too old protocol to upgrade', async () => {
    const { token } = await newAgent('old-protocol');
    const agent = await connectLightAgent(baseUrl, token, { hello: helloFrame({}, 0) });
    expect((await agent.closed).code).toBe(CloseCode.UPGRADE_REQUIRED);
  });

  it('closes a socket that never says hello', async () => {
    const { token } = await newAgent('silent');
    const agent = await connectLightAgent(baseUrl, token, { hello: null });
    expect((await agent.closed).code).toBe(CloseCode.TIMEOUT);
  }, 20_000);

  it('notices a half-open agent that stops answering pings and marks it offline', async () => {
    const created = await newAgent('half-open');
    const agent = await connectLightAgent(baseUrl, created.token, { autoPong: false });
    await agent.welcome();
    await expect
      .poll(() => getAgent(created.id).then((view) => view.status), { timeout: HEARTBEAT_MS * 6 })
      .toBe('offline');
  });
});

describe('the hub: requests', () => {
  it('carries a request to the agent and its response back', async () => {
    const { id, agent } = await online('worker');
    agent.socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString());
      if (frame.type === 'request')
        agent.send({ type: 'response', id: frame.id, ok: true, result: { echo: frame.op.input } });
    });
    const { result } = await t.app.hub.request(
      id,
      { kind: 'ping', input: { n: 1 } },
      { deadline: Date.now() + 5000 },
    );
    expect(result).toEqual({ echo: { n: 1 } });
    const many = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        t.app.hub.request(id, { kind: 'ping', input: { n } }, { deadline: Date.now() + 5000 }),
      ),
    );
    expect(many.map((response) => (response.result as { echo: { n: number } }).echo.n)).toEqual(
      Array.from({ length: 100 }, (_, n) => n),
    );
    agent.socket.close();
  });

  it('passes an agent error through with its code', async () => {
    const { id, agent } = await online('failing');
    agent.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'request')
        agent.send({
          type: 'response',
          id: frame.id,
          ok: false,
          error: { code: 'policy_denied', message: 'blocked' },
        });
    });
    await expect(
      t.app.hub.request(id, { kind: 'http', input: {} }, { deadline: Date.now() + 5000 }),
    ).rejects.toMatchObject({ code: 'agent_error', agentCode: 'policy_denied' });
    agent.socket.close();
  });

  it('fails at once with agent_offline when the agent disconnects mid-request, and for an offline agent', async () => {
    const { id, agent } = await online('vanishing');
    const pending = t.app.hub.request(id, { kind: 'ping', input: {} }, { deadline: Date.now() + 60_000 });
    await agent.next('request');
    const started = Date.now();
    agent.socket.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'agent_offline' });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(
      t.app.hub.request(id, { kind: 'ping', input: {} }, { deadline: Date.now() + 1000 }),
    ).rejects.toBeInstanceOf(HubError);
  });

  it('times out at the deadline and cancels on the agent', async () => {
    const { id, agent } = await online('slow');
    await expect(
      t.app.hub.request(id, { kind: 'ping', input: {} }, { deadline: Date.now() + 200 }),
    ).rejects.toMatchObject({ code: 'timeout' });
    const cancel = await agent.next('cancel');
    expect(cancel.id).toBeGreaterThan(0);
    const controller = new AbortController();
    const cancelled = t.app.hub.request(
      id,
      { kind: 'ping', input: {} },
      { deadline: Date.now() + 5000, signal: controller.signal },
    );
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    agent.socket.close();
  });

  it('streams a response body larger than the window, granting credit as it is read', async () => {
    const { id, agent } = await online('streamer');
    const size = 5 * 1024 * 1024;
    let granted = 1024 * 1024;
    let sent = 0;
    let requestId = 0;
    const pump = () => {
      while (sent < size && sent < granted) {
        const chunk = Buffer.alloc(Math.min(256 * 1024, size - sent, granted - sent), sent % 251);
        agent.sendBinary(requestId, chunk);
        sent += chunk.length;
      }
      if (sent === size) agent.send({ type: 'body.end', id: requestId });
    };
    agent.socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString());
      if (frame.type === 'request') {
        requestId = frame.id;
        agent.send({ type: 'response', id: frame.id, ok: true, result: { status: 200 }, streamsBody: true });
        pump();
      }
      if (frame.type === 'credit') {
        granted += frame.bytes;
        pump();
      }
    });
    const { body } = await t.app.hub.request(
      id,
      { kind: 'http', input: {} },
      { deadline: Date.now() + 20_000 },
    );
    let received = 0;
    for await (const chunk of body ?? []) received += (chunk as Buffer).length;
    expect(received).toBe(size);
    agent.socket.close();
  });
});

describe('the hub: bad frames', () => {
  it('closes only the offending socket with a protocol error; other sessions keep working', async () => {
    const healthy = await online('bystander');
    healthy.agent.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'request')
        healthy.agent.send({ type: 'response', id: frame.id, ok: true, result: 'still here' });
    });
    const cases: unknown[] = [
      '{not json',
      { type: 'launch' },
      { type: 'response', id: 999_999, ok: true, result: 1 },
      { type: 'hello', protocol: 1 },
      'x'.repeat(2 * 1024 * 1024),
    ];
    for (const [index, frame] of cases.entries()) {
      const { agent } = await online(`offender-${index}`);
      agent.send(frame);
      expect((await agent.closed).code, JSON.stringify(frame).slice(0, 40)).toBe(
        index === 4 ? 1009 : CloseCode.PROTOCOL_ERROR,
      );
    }
    const offender = await online('binary-offender');
    offender.agent.socket.send(Buffer.from([7, 0, 0]), { binary: true });
    expect((await offender.agent.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
    const { result } = await t.app.hub.request(
      healthy.id,
      { kind: 'ping', input: {} },
      { deadline: Date.now() + 5000 },
    );
    expect(result).toBe('still here');
    healthy.agent.socket.close();
  });

  it('survives a thousand random and mutated frames from many sockets', async () => {
    const { id, token } = await newAgent('fuzzed');
    const seeds = [
      JSON.stringify(helloFrame()),
      JSON.stringify({ type: 'response', id: 1, ok: true, result: {} }),
      JSON.stringify({ type: 'credit', id: 1, bytes: 10 }),
    ];
    for (let round = 0; round < 20; round++) {
      const agent = await connectLightAgent(baseUrl, token, { hello: round % 2 ? null : undefined });
      for (let i = 0; i < 50 && agent.socket.readyState === agent.socket.OPEN; i++) {
        const seed = Buffer.from(seeds[(round + i) % seeds.length] ?? '');
        for (let j = 0; j < 3; j++)
          seed[Math.floor(Math.random() * seed.length)] = Math.floor(Math.random() * 256);
        agent.socket.send(
          i % 4 === 0 ? Buffer.from(Array.from({ length: i }, () => Math.floor(Math.random() * 256))) : seed,
          { binary: i % 4 === 0 },
        );
      }
      agent.socket.close();
      await agent.closed;
    }
    // The hub still serves this agent afterwards.
    const clean = await connectLightAgent(baseUrl, token);
    await clean.welcome();
    await expect.poll(() => getAgent(id).then((view) => view.status)).toBe('online');
    clean.socket.close();
  });
});
