import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { closedWithin, rawConnect } from './raw-socket.ts';

/**
 * Oversized requests are refused before they reach a route. (An agent frame over 1 MiB closes its
 * socket with 1009: hub.test.ts, "the hub: bad frames".)
 */

let t: TestApp;
let baseUrl: string;
let agentToken: string;

beforeAll(async () => {
  t = await startTestApp();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const owner = await signUp(t.app);
  const agent = await call(t.app, 'POST', '/v1/agents', {
    as: { cookie: owner.cookie },
    body: { name: 'big' },
  });
  agentToken = (
    await call(t.app, 'GET', `/v1/agents/${agent.json().id}/token`, { as: { cookie: owner.cookie } })
  ).json().token;
});
afterAll(() => t.close());

const BIG_HEADER = 'x'.repeat(20 * 1024);

async function send(request: string) {
  const client = await rawConnect(baseUrl);
  client.socket.write(request);
  expect(await closedWithin(client, 10_000)).not.toBe('open');
  return client.received();
}

describe('oversized requests', () => {
  it('request headers over 16 KiB: 431 and the connection closed', async () => {
    const answer = await send(`GET /healthz HTTP/1.1\r\nHost: a\r\nX-Padding: ${BIG_HEADER}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a WebSocket upgrade with an oversized Sec-WebSocket-Protocol: 431, no socket', async () => {
    const answer = await send(
      [
        'GET /v1/agent/connect HTTP/1.1',
        'Host: a',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `Authorization: Bearer ${agentToken}`,
        `Sec-WebSocket-Protocol: ${BIG_HEADER}`,
        '',
        '',
      ].join('\r\n'),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).not.toContain('101 Switching Protocols');
  });

  it('many small headers adding up past 16 KiB on an upgrade: 431', async () => {
    const headers = Array.from({ length: 400 }, (_, index) => `X-Header-${index}: ${'y'.repeat(40)}`);
    const answer = await send(
      [
        'GET /v1/agent/connect HTTP/1.1',
        'Host: a',
        'Connection: Upgrade',
        'Upgrade: websocket',
        ...headers,
        '',
        '',
      ].join('\r\n'),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a body over 1 MiB: 413 payload_too_large, before any handler', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/json', 'x-outpost-client': 'test' },
      payload: JSON.stringify({ email: 'a@example.test', password: 'p'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('the server still answers afterwards', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  });
});
