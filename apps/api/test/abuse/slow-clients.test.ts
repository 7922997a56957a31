import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UNREAD_EVENT_BYTES } from '../../src/modules/agents/routes.ts';
import { SERVER_TIMEOUTS } from '../../src/server-timeouts.ts';
import { signUp, startTestApp, type TestApp } from '../helpers.ts';
import { closedWithin, rawConnect } from './raw-socket.ts';

/**
 * A slow or silent client cannot hold a connection open for ever. The app runs with short
 * timeouts here (the product's are checked first), over real sockets. (A WebSocket that upgrades
 * and never says hello is closed at the handshake timeout: hub.test.ts, "closes a socket that
 * never says hello".)
 */

const SHORT = {
  connectionMs: 4_000,
  requestMs: 2_000,
  headersMs: 1_000,
  keepAliveMs: 500,
  checkIntervalMs: 200,
};

let t: TestApp;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestApp({}, { serverTimeouts: SHORT });
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the product's own limits", () => {
  it('are the ones the API listens with', async () => {
    const product = await startTestApp();
    try {
      await product.app.listen({ port: 0, host: '127.0.0.1' });
      const server = product.app.server;
      expect(server.headersTimeout).toBe(SERVER_TIMEOUTS.headersMs);
      expect(server.requestTimeout).toBe(SERVER_TIMEOUTS.requestMs);
      expect(server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveMs);
      expect(server.timeout).toBe(SERVER_TIMEOUTS.connectionMs);
      expect((server as unknown as { maxHeaderSize: number }).maxHeaderSize).toBe(16 * 1024);
      // Bounded: a trickling client is cut within half a minute.
      expect(SERVER_TIMEOUTS.headersMs + SERVER_TIMEOUTS.checkIntervalMs).toBeLessThanOrEqual(30_000);
    } finally {
      await product.close();
    }
  });
});

describe('slow clients', () => {
  it('slowloris: headers trickled a byte at a time are cut at the headers timeout', async () => {
    const client = await rawConnect(baseUrl);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: a\r\n');
    let sent = 0;
    const trickle = setInterval(() => {
      if (!client.socket.destroyed) client.socket.write(sent++ % 2 ? 'a' : 'X');
    }, 50);
    try {
      const closed = await closedWithin(client, 15_000);
      expect(closed, 'the connection is still open').not.toBe('open');
      // Cut while still sending: not for being idle.
      expect(sent).toBeGreaterThan(10);
      expect(client.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('a body trickled a byte at a time is cut at the request timeout', async () => {
    const client = await rawConnect(baseUrl);
    client.socket.write(
      'POST /v1/auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nX-Outpost-Client: t\r\nContent-Length: 100000\r\n\r\n{',
    );
    const trickle = setInterval(() => {
      if (!client.socket.destroyed) client.socket.write(' ');
    }, 50);
    try {
      expect(await closedWithin(client, 15_000)).not.toBe('open');
    } finally {
      clearInterval(trickle);
    }
  });

  it('a connection that sends nothing is closed', async () => {
    const client = await rawConnect(baseUrl);
    expect(await closedWithin(client, 15_000)).not.toBe('open');
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const client = await rawConnect(baseUrl);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n');
    await waitFor(() => client.received().includes('\r\n\r\n'));
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    const closed = await closedWithin(client, 10_000);
    expect(closed).not.toBe('open');
  });
});

describe('a slow reader of the agent event stream', () => {
  it('is cut once it leaves too much unread, instead of the API buffering without end', async () => {
    const owner = await signUp(t.app);
    const environment = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'production' },
    });
    const client = await rawConnect(baseUrl);
    client.socket.write(
      `GET /v1/agents/events HTTP/1.1\r\nHost: a\r\nCookie: outpost_session=${owner.cookie}\r\n\r\n`,
    );
    await waitFor(() => client.received().includes('retry: 3000'));
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    client.socket.pause(); // reads nothing more

    // 20 MB of events, far beyond what the socket buffers hold.
    const agentId = 'a'.repeat(100);
    const events = 150_000;
    for (let i = 0; i < events; i++) {
      t.app.agentEvents.publishChange({ type: 'deleted', scopeId: environment.scopeId, agentId });
      if (i % 2000 === 0) await sleep(1);
    }
    const sentBytes =
      events * `event: agent.deleted\ndata: {"type":"agent.deleted","agentId":"${agentId}"}\n\n`.length;

    client.socket.resume();
    const closed = await closedWithin(client, 20_000);
    expect(closed, `still open after reading ${client.bytes()} bytes`).not.toBe('open');
    // What reached the client: the socket buffers and at most the unread allowance, not everything.
    expect(client.bytes()).toBeLessThan(sentBytes / 2);
    expect(MAX_UNREAD_EVENT_BYTES).toBeLessThanOrEqual(1024 * 1024);

    // Other clients are still served.
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  }, 60_000);
});

async function waitFor(condition: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
