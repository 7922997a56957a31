import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutorError, parseInput, type RunContext } from './executor.ts';
import { httpExecutor } from './http.ts';

const MiB = 1024 * 1024;
let server: http.Server;
let base: string;
let uploaded = 0;
/** Bytes the /big route has written so far: how far the server is ahead of the reader. */
let served = 0;

function route(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://x');
  if (url.pathname === '/echo') {
    response.setHeader('set-cookie', ['a=1', 'b=2']);
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        method: request.method,
        query: url.search,
        authorization: request.headers.authorization ?? null,
        custom: request.headers['x-custom'] ?? null,
      }),
    );
  } else if (url.pathname === '/status') {
    response.writeHead(Number(url.searchParams.get('code')), 'Teapot Here').end();
  } else if (url.pathname === '/big') {
    const total = Number(url.searchParams.get('mib')) * MiB;
    const chunk = Buffer.alloc(64 * 1024, 7);
    served = 0;
    const pump = () => {
      while (served < total) {
        served += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  } else if (url.pathname === '/upload') {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => {
      uploaded = bytes;
      response.end(JSON.stringify({ bytes }));
    });
  } else if (url.pathname === '/slow') {
    setTimeout(() => response.end('late'), 5_000).unref();
  } else if (url.pathname === '/loop') {
    const n = Number(url.searchParams.get('n'));
    response.writeHead(302, { location: n > 0 ? `/loop?n=${n - 1}` : '/echo' }).end();
  } else if (url.pathname === '/see-other') {
    response.writeHead(303, { location: '/echo' }).end();
  } else {
    response.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = http.createServer(route);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function context(extra: Partial<RunContext> = {}): RunContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 20_000, ...extra };
}

async function run(input: unknown, extra: Partial<RunContext> = {}) {
  return httpExecutor.run(parseInput(httpExecutor, input), context(extra));
}

async function text(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of body ?? []) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExecutorError);
  return error as ExecutorError;
}

describe('the http executor', () => {
  it('returns status, headers and the body, with query and headers sent', async () => {
    const output = await run({
      method: 'post',
      url: `${base}/echo?x=1`,
      query: { y: ['2', '3'] },
      headers: { 'X-Custom': 'yes' },
      bodyBase64: Buffer.from('hi').toString('base64'),
    });
    expect(output.result).toMatchObject({ status: 200, headers: { 'set-cookie': ['a=1', 'b=2'] } });
    expect(JSON.parse(await text(output.body))).toEqual({
      method: 'POST',
      query: '?x=1&y=2&y=3',
      authorization: null,
      custom: 'yes',
    });
  });

  it('reports status text and no body for an empty answer', async () => {
    const output = await run({ method: 'GET', url: `${base}/status?code=418` });
    expect(output.result).toMatchObject({ status: 418, statusText: 'Teapot Here' });
    expect(await text(output.body)).toBe('');
  });

  it('streams a 50 MiB response body to a slow reader without running ahead of it', async () => {
    const output = await run({ method: 'GET', url: `${base}/big?mib=50` });
    let ahead = 0;
    let total = 0;
    let chunks = 0;
    for await (const chunk of output.body ?? []) {
      total += chunk.byteLength;
      ahead = Math.max(ahead, served - total);
      if (++chunks % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(total).toBe(50 * MiB);
    // Socket buffers and stream high-water marks only: the body never piles up in memory.
    expect(ahead).toBeLessThan(12 * MiB);
  });

  it('streams a 50 MiB request body from an async iterable', async () => {
    async function* body() {
      const chunk = Buffer.alloc(256 * 1024, 1);
      for (let i = 0; i < 200; i++) yield chunk;
    }
    const output = await run({ method: 'PUT', url: `${base}/upload` }, { requestBody: body() });
    expect(JSON.parse(await text(output.body))).toEqual({ bytes: 50 * MiB });
    expect(uploaded).toBe(50 * MiB);
  });

  it('times out on timeoutMs and on the deadline', async () => {
    expect((await failure(run({ method: 'GET', url: `${base}/slow`, timeoutMs: 100 }))).code).toBe('timeout');
    const late = run({ method: 'GET', url: `${base}/slow` }, { deadline: Date.now() + 100 });
    expect((await failure(late)).code).toBe('timeout');
  });

  it('reports cancelled when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = run({ method: 'GET', url: `${base}/slow` }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('cancelled');
  });

  it('maps a refused port and an unknown host', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    expect((await failure(run({ method: 'GET', url: `http://127.0.0.1:${port}/` }))).code).toBe(
      'connection_refused',
    );
    expect((await failure(run({ method: 'GET', url: 'http://no-such-host.invalid/' }))).code).toBe(
      'dns_failed',
    );
  });

  it('follows redirects up to the limit, and fails past it', async () => {
    const followed = await run({ method: 'GET', url: `${base}/loop?n=4` });
    expect(followed.result).toMatchObject({ status: 200, url: `${base}/echo` });
    await text(followed.body);
    expect((await failure(run({ method: 'GET', url: `${base}/loop?n=5` }))).code).toBe('too_many_redirects');
    const unfollowed = await run({ method: 'GET', url: `${base}/loop?n=1`, maxRedirects: 0 });
    expect(unfollowed.result).toMatchObject({ status: 302, headers: { location: '/loop?n=0' } });
    await text(unfollowed.body);
  });

  it('turns a POST into a GET on 303 and keeps credentials on the same origin', async () => {
    const output = await run({
      method: 'POST',
      url: `${base}/see-other`,
      headers: { authorization: 'Bearer x' },
      bodyBase64: 'aGk=',
    });
    expect(JSON.parse(await text(output.body))).toMatchObject({ method: 'GET', authorization: 'Bearer x' });
  });

  it('lets checkTarget see every hop with its resolved addresses, and refuse one', async () => {
    const seen: string[] = [];
    const output = await run(
      { method: 'GET', url: `${base.replace('127.0.0.1', 'localhost')}/loop?n=1` },
      {
        checkTarget: (target, addresses) =>
          void seen.push(`${target.host}:${target.port} ${addresses.join(',')}`),
      },
    );
    await text(output.body);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^localhost:\d+ .*(127\.0\.0\.1|::1)/);

    const refused = run(
      { method: 'GET', url: `${base}/echo` },
      {
        checkTarget: () => {
          throw new ExecutorError('policy_denied', 'no');
        },
      },
    );
    expect((await failure(refused)).code).toBe('policy_denied');
  });

  it('refuses invalid input with invalid_input', () => {
    for (const input of [
      { method: 'GET', url: 'ftp://x/' },
      { method: 'GE T', url: 'http://x/' },
      { method: 'GET', url: 'http://x/', headers: { 'x-a': 'a\r\nb: c' } },
      { method: 'GET' },
    ]) {
      expect(() => parseInput(httpExecutor, input)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
  });

  it('names the target it will contact first', () => {
    expect(
      httpExecutor.targets?.(parseInput(httpExecutor, { method: 'GET', url: 'https://[::1]/x' })),
    ).toEqual([{ host: '::1', port: 443 }]);
  });
});
