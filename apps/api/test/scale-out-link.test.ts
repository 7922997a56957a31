import type { AddressInfo } from 'node:net';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { HubError } from '../src/modules/hub/errors.ts';
import { LINK_PATH } from '../src/scale/link-frames.ts';
import { PeerLink } from '../src/scale/peer-link.ts';

// The caller's end of an instance link against a holder that misbehaves: a bad frame closes that
// link (its requests fail as agent_offline), never the process. (The holder's end is tested with
// real instances in scale-out-routing.test.ts.)
const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A holder that answers each request frame with what `answer` returns. */
async function holder(answer: (request: { id: number }) => (string | Buffer)[]): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: LINK_PATH });
  servers.push(server);
  server.on('connection', (socket, request) => {
    expect(request.headers.authorization).toBe('Bearer link-secret');
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(String(data)) as { type: string; id: number };
      if (frame.type === 'request') for (const reply of answer(frame)) socket.send(reply);
    });
  });
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function link(url: string): PeerLink {
  return new PeerLink({
    url,
    token: 'link-secret',
    fromInstanceId: 'test',
    log: pino({ level: 'silent' }),
    heartbeatMs: 1_000,
    onClosed: () => undefined,
  });
}

const ping = { kind: 'ping', input: {} };
const agentId = '01a22496-26ab-738d-9c94-186259e30257';

describe('the caller end of an instance link', () => {
  it('gets the result, and the error with its codes, as the holder sent them', async () => {
    const url = await holder(({ id }) =>
      id === 1
        ? [JSON.stringify({ type: 'response', id, ok: true, result: { pong: true } })]
        : [
            JSON.stringify({
              type: 'response',
              id,
              ok: false,
              error: { code: 'agent_error', message: 'refused', agentCode: 'connection_refused' },
            }),
          ],
    );
    const peer = link(url);
    await expect(peer.request(agentId, ping, { deadline: Date.now() + 5_000 })).resolves.toEqual({
      result: { pong: true },
    });
    await expect(peer.request(agentId, ping, { deadline: Date.now() + 5_000 })).rejects.toMatchObject({
      code: 'agent_error',
      agentCode: 'connection_refused',
    });
    peer.close();
  });

  for (const [name, reply] of [
    ['a frame that is not JSON', () => ['not json']],
    ['an unknown frame', ({ id }: { id: number }) => [JSON.stringify({ type: 'surprise', id })]],
    [
      'an error code the hub does not have',
      ({ id }: { id: number }) => [
        JSON.stringify({ type: 'response', id, ok: false, error: { code: 'weird', message: 'x' } }),
      ],
    ],
    [
      'a request body chunk (holders send only response bodies)',
      ({ id }: { id: number }) => [encodeChunk(BinaryKind.REQUEST_BODY, id, Buffer.from('x'))],
    ],
    [
      // 3 MiB that nobody reads: far past the window the caller granted.
      'a body beyond its credit',
      ({ id }: { id: number }) => [
        JSON.stringify({ type: 'response', id, ok: true, result: {}, streamsBody: true }),
        ...Array.from({ length: 12 }, () =>
          encodeChunk(BinaryKind.RESPONSE_BODY, id, Buffer.alloc(256 * 1024)),
        ),
      ],
    ],
  ] as const) {
    it(`closes the link on ${name}; its request fails as agent_offline`, async () => {
      const url = await holder(reply as (request: { id: number }) => (string | Buffer)[]);
      const peer = link(url);
      const outcome = await peer.request(agentId, ping, { deadline: Date.now() + 5_000 }).then(
        // The body is not read: whatever the holder sends beyond the window is its fault.
        ({ body }) => (body ? new Promise((resolve) => body.once('error', resolve)) : 'no body'),
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(HubError);
      expect(outcome).toMatchObject({ code: 'agent_offline' });
      expect(peer.closed).toBe(true);
    });
  }

  it('says "not delivered" when the holder cannot be reached, so that the caller looks again', async () => {
    const url = await holder(() => []);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    const peer = link(url);
    await expect(peer.request(agentId, ping, { deadline: Date.now() + 5_000 })).rejects.toMatchObject({
      name: 'HubError',
      code: 'agent_offline',
      message: 'The instance holding the agent is unreachable',
    });
  });
});
