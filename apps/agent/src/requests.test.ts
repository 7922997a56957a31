import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { registry } from '@outpost/connectors/registry';
import { BinaryKind, decodeChunk } from '@outpost/protocol/agent/binary';
import type { AgentFrame, Request } from '@outpost/protocol/agent/frames';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';
import { compilePolicy } from './policy.ts';
import { ProtocolViolation, Requests } from './requests.ts';

const MiB = 1024 * 1024;
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/big') {
      response.end(Buffer.alloc(3 * MiB, 1));
    } else if (request.url === '/upload') {
      let bytes = 0;
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      request.on('end', () => response.end(String(bytes)));
    } else if (request.url === '/slow') {
      setTimeout(() => response.end('late'), 5_000).unref();
    } else response.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The work in flight with its frames captured where the socket would send them. */
function setUp(deny: string[] = []) {
  const frames: AgentFrame[] = [];
  const chunks: { id: number; bytes: number }[] = [];
  const requests = new Requests(
    {
      frame: (frame) => frames.push(frame),
      binary: (data) => {
        const chunk = decodeChunk(data);
        if (chunk?.kind === BinaryKind.RESPONSE_BODY)
          chunks.push({ id: chunk.id, bytes: chunk.chunk.length });
      },
    },
    registry,
    compilePolicy({ allow: [], deny, allowCloudMetadata: false }),
    createLogger('text', new PassThrough()),
  );
  /** The frames of request `id`, once its last one (an error, a result without body, or body.end) is out. */
  const settled = async (id: number) => {
    const last = (frame: AgentFrame) =>
      'id' in frame &&
      frame.id === id &&
      (frame.type === 'body.end' || (frame.type === 'response' && (!frame.ok || !frame.streamsBody)));
    await expect.poll(() => frames.some(last)).toBe(true);
    return frames.filter((frame) => 'id' in frame && frame.id === id);
  };
  /** The credit granted so far for request bodies, the initial window included. */
  const credit = () =>
    frames.reduce((total, frame) => total + (frame.type === 'credit' ? frame.bytes : 0), MiB);
  return { requests, frames, chunks, settled, credit };
}

const request = (id: number, kind: string, input: unknown, extra: Partial<Request> = {}): Request => ({
  type: 'request',
  id,
  deadline: Date.now() + 10_000,
  op: { kind, input },
  ...extra,
});

describe('the work in flight', () => {
  it('answers ping', async () => {
    const { requests, settled } = setUp();
    requests.onRequest(request(1, 'ping', { payload: 'hi' }));
    const [response] = await settled(1);
    expect(response).toMatchObject({ type: 'response', id: 1, ok: true, result: { payload: 'hi' } });
  });

  it('answers invalid input and unknown kinds with an error, never a crash', async () => {
    const { requests, settled } = setUp();
    requests.onRequest(request(1, 'http', { method: 'GET', url: 'not a url' }));
    requests.onRequest(request(2, 'teleport', {}));
    expect((await settled(1))[0]).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await settled(2))[0]).toMatchObject({ ok: false, error: { code: 'unknown_operation' } });
  });

  it("refuses what the local policy forbids, saying it is this agent's policy", async () => {
    const { requests, settled } = setUp(['127.0.0.0/8']);
    requests.onRequest(
      request(1, 'http', { method: 'GET', url: 'http://169.254.169.254/latest/meta-data/' }),
    );
    requests.onRequest(request(2, 'http', { method: 'GET', url: `${base}/` }));
    expect((await settled(1))[0]).toMatchObject({
      ok: false,
      error: {
        code: 'policy_denied',
        message: "blocked by this agent's local policy: 169.254.169.254:80 is a cloud metadata address",
      },
    });
    expect((await settled(2))[0]).toMatchObject({ ok: false, error: { code: 'policy_denied' } });
  });

  it('streams a response body within its credit, then ends it', async () => {
    const { requests, frames, chunks, settled } = setUp();
    requests.onRequest(request(7, 'http', { method: 'GET', url: `${base}/big` }));
    await expect.poll(() => chunks.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = () => chunks.reduce((total, chunk) => total + chunk.bytes, 0);
    expect(sent()).toBe(MiB);
    expect(frames[0]).toMatchObject({
      type: 'response',
      id: 7,
      ok: true,
      result: { status: 200 },
      streamsBody: true,
    });
    requests.onCredit({ type: 'credit', id: 7, bytes: 2 * MiB });
    const end = await settled(7);
    expect(end.at(-1)).toEqual({ type: 'body.end', id: 7 });
    expect(sent()).toBe(3 * MiB);
    expect(requests.size).toBe(0);
  });

  it('takes a streamed request body and grants credit as it goes', async () => {
    const { requests, frames, settled, credit } = setUp();
    const op = { kind: 'http', input: { method: 'POST', url: `${base}/upload` }, streamsBody: true };
    requests.onRequest(request(3, 'http', null, { op }));
    const chunk = 256 * 1024;
    // Like the hub: never more in flight than the credit granted.
    for (let pushed = 0; pushed < 4 * MiB; pushed += chunk) {
      if (pushed + chunk > credit()) await expect.poll(credit).toBeGreaterThanOrEqual(pushed + chunk);
      requests.onChunk({ kind: BinaryKind.REQUEST_BODY, id: 3, chunk: Buffer.alloc(chunk) });
    }
    requests.onBodyEnd({ type: 'body.end', id: 3 });
    await settled(3);
    expect(frames.find((frame) => frame.type === 'response')).toMatchObject({
      ok: true,
      result: { status: 200 },
    });
  });

  it('sends nothing more for a cancelled request, and a timeout for one past its deadline', async () => {
    const { requests, frames, settled } = setUp();
    requests.onRequest(request(1, 'http', { method: 'GET', url: `${base}/slow` }));
    requests.onCancel({ type: 'cancel', id: 1 });
    requests.onRequest(
      request(2, 'http', { method: 'GET', url: `${base}/slow` }, { deadline: Date.now() + 100 }),
    );
    expect((await settled(2))[0]).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(frames.filter((frame) => 'id' in frame && frame.id === 1)).toEqual([]);
  });

  it('treats a duplicate id or a body nobody announced as a protocol error', () => {
    const { requests } = setUp();
    requests.onRequest(request(1, 'http', { method: 'GET', url: `${base}/slow` }));
    expect(() => requests.onRequest(request(1, 'ping', {}))).toThrow(ProtocolViolation);
    expect(() => requests.onChunk({ kind: BinaryKind.REQUEST_BODY, id: 1, chunk: Buffer.alloc(1) })).toThrow(
      ProtocolViolation,
    );
    expect(() => requests.onChunk({ kind: BinaryKind.RESPONSE_BODY, id: 1, chunk: Buffer.alloc(1) })).toThrow(
      ProtocolViolation,
    );
    requests.abandonAll();
  });

  it('on shutdown answers new requests as unavailable and cancels those that overrun the grace', async () => {
    const { requests, frames } = setUp();
    requests.onRequest(request(1, 'http', { method: 'GET', url: `${base}/slow` }));
    requests.stopAccepting();
    requests.onRequest(request(2, 'ping', {}));
    expect(frames).toContainEqual(
      expect.objectContaining({ id: 2, ok: false, error: expect.objectContaining({ code: 'unavailable' }) }),
    );
    expect(await requests.idle(50)).toBe(false);
    requests.cancelAll();
    expect(frames).toContainEqual(
      expect.objectContaining({ id: 1, ok: false, error: expect.objectContaining({ code: 'cancelled' }) }),
    );
    expect(await requests.idle(1_000)).toBe(true);
  });
});
