import { once } from 'node:events';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  AbortReason,
  abortError,
  checkedAddresses,
  type Executor,
  ExecutorError,
  networkError,
  type RunContext,
  type Target,
} from './executor.ts';

/** Inline bodies ride in the request frame, which is at most 1 MiB; bigger ones stream. */
const MAX_INLINE_BODY_CHARS = 768 * 1024;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const HEADER_VALUE = z.string().regex(/^[^\r\n\0]*$/, 'a header value without CR, LF or NUL');
const QueryValue = z.union([z.string(), z.array(z.string())]);

export const HttpInput = z.object({
  method: z
    .string()
    .regex(/^[A-Za-z]{1,16}$/, 'an HTTP method')
    .transform((method) => method.toUpperCase()),
  url: z
    .string()
    .max(8192)
    .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), 'an http: or https: URL'),
  headers: z
    .record(z.string().regex(HEADER_NAME, 'a header name'), z.union([HEADER_VALUE, z.array(HEADER_VALUE)]))
    .optional(),
  query: z.record(z.string(), QueryValue).optional(),
  /** A small body, sent as is; a big one streams in as the request body instead. */
  bodyBase64: z.base64().max(MAX_INLINE_BODY_CHARS).optional(),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  /** 0: return a redirect as it is; otherwise follow up to this many and fail past them. */
  maxRedirects: z.number().int().min(0).max(20).default(5),
});
export type HttpInput = z.infer<typeof HttpInput>;

export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Headers that describe one hop's connection, not the request; Node sets them itself. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** Credentials that must not follow a redirect to another origin. */
const ORIGIN_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

type Body =
  | { kind: 'none' }
  | { kind: 'inline'; bytes: Buffer }
  | { kind: 'stream'; source: AsyncIterable<Uint8Array> };

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string | string[]>;
  body: Body;
}

/**
 * `http`: one HTTP(S) request. Bodies stream both ways and are never held whole in memory;
 * redirects are followed here, hop by hop, so that `checkTarget` sees every host contacted.
 */
export const httpExecutor: Executor<HttpInput> = {
  kind: 'http',
  input: HttpInput,
  targets: (input) => [targetOf(new URL(input.url))],
  run: runHttp,
};

async function runHttp(input: HttpInput, context: RunContext) {
  const deadline = input.timeoutMs
    ? Math.min(context.deadline, Date.now() + input.timeoutMs)
    : context.deadline;
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(AbortReason.deadline), Math.max(0, deadline - Date.now()));
  timeout.unref();
  const signal = AbortSignal.any([context.signal, timer.signal]);
  const done = () => clearTimeout(timeout);

  let hop = firstHop(input, context.requestBody);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await send(hop, signal, context);
      const next = nextHop(hop, response);
      if (next && input.maxRedirects > 0) {
        response.destroy();
        if (redirects >= input.maxRedirects)
          throw new ExecutorError('too_many_redirects', `more than ${input.maxRedirects} redirects`);
        hop = next;
        continue;
      }
      const result: HttpResult = {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: responseHeaders(response),
        url: hop.url.href,
      };
      if (!hasBody(hop.method, response)) {
        response.destroy();
        done();
        return { result };
      }
      return { result, body: readBody(response, signal, done) };
    }
  } catch (error) {
    done();
    throw signal.aborted ? abortError(signal) : networkError(error, `${hop.method} ${hop.url.origin}`);
  }
}

function firstHop(input: HttpInput, requestBody: AsyncIterable<Uint8Array> | undefined): Hop {
  const url = new URL(input.url);
  for (const [name, value] of Object.entries(input.query ?? {}))
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, item);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(input.headers ?? {}))
    if (!HOP_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  let body: Body = { kind: 'none' };
  if (input.bodyBase64 !== undefined) {
    body = { kind: 'inline', bytes: Buffer.from(input.bodyBase64, 'base64') };
    headers['content-length'] = String(body.bytes.length);
  } else if (requestBody) body = { kind: 'stream', source: requestBody };
  return { url, method: input.method, headers, body };
}

/** The hop a redirect leads to, or null when `response` is not one to follow. */
function nextHop(hop: Hop, response: IncomingMessage): Hop | null {
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (!REDIRECTS.has(status) || !location || !URL.canParse(location, hop.url.href)) return null;
  const url = new URL(location, hop.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const keepsMethod = status === 307 || status === 308 || (status !== 303 && hop.method !== 'POST');
  // A streamed body is gone once sent: a redirect that needs it again is returned, not followed.
  if (keepsMethod && hop.body.kind === 'stream') return null;
  const headers = { ...hop.headers };
  if (url.origin !== hop.url.origin) for (const name of ORIGIN_HEADERS) delete headers[name];
  if (keepsMethod) return { url, method: hop.method, headers, body: hop.body };
  delete headers['content-length'];
  delete headers['content-type'];
  return { url, method: hop.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: { kind: 'none' } };
}

async function send(hop: Hop, signal: AbortSignal, context: RunContext) {
  const addresses = await checkedAddresses(targetOf(hop.url), { ...context, signal });

  const client = hop.url.protocol === 'https:' ? https : http;
  const request = client.request(hop.url, {
    method: hop.method,
    headers: hop.headers as OutgoingHttpHeaders,
    agent: hop.url.protocol === 'https:' ? agents['https:'] : agents['http:'],
    lookup: pinnedLookup(addresses),
    signal,
  });
  const response = once(request, 'response') as Promise<[IncomingMessage]>;
  if (hop.body.kind === 'inline') request.end(hop.body.bytes);
  else if (hop.body.kind === 'none') request.end();
  else
    pipeline(Readable.from(hop.body.source, { objectMode: false }), request).catch((error: unknown) =>
      request.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  const [message] = await response;
  return message;
}

async function* readBody(response: IncomingMessage, signal: AbortSignal, done: () => void) {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    throw signal.aborted ? abortError(signal) : networkError(error, 'reading the response body');
  } finally {
    response.destroy();
    done();
  }
}

/** Connects only to the addresses that were checked, so a second DNS answer cannot differ. */
function pinnedLookup(addresses: string[]): LookupFunction {
  return (_hostname, options, callback) => {
    const entries = addresses.map((address) => ({ address, family: isIP(address) }));
    if (options.all) callback(null, entries);
    else callback(null, entries[0]?.address ?? '', entries[0]?.family ?? 4);
  };
}

export function targetOf(url: URL): Target {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host, port };
}

function hasBody(method: string, response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return false;
  return response.headers['content-length'] !== '0';
}

function responseHeaders(response: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers))
    if (value !== undefined) headers[name] = value;
  return headers;
}
