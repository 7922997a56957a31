import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionFailure } from '../../connections/runner.ts';
import { type ConnectionDeps, sendHttpRequest } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { discard, excerpt } from '../exports/response-body.ts';

export interface ImportRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** 2xx, or what the server answered otherwise (its status and the start of its body). */
export type Answer = { ok: true } | { ok: false; status: number; message: string };

/** A request waits this long at most for a retry, whatever Retry-After says. */
const MAX_DELAY_MS = 30_000;
const BASE_DELAY_MS = 500;
/** Transport failures worth another try at once; others (SSRF, policy, DNS) would fail again. */
const RETRYABLE = new Set([
  'timeout',
  'connection_refused',
  'connection_reset',
  'host_unreachable',
  'upstream_error',
  'agent_offline',
]);
/** Inline bodies ride in one frame to the agent; bigger ones stream. */
const MAX_INLINE_BYTES = 512 * 1024;
const TIMEOUT_MS = 60_000;

/**
 * Sends one import request; a 408, 429 or 5xx and a transport failure are tried again a few
 * times with backoff (honouring Retry-After), then thrown as `ConnectionFailure` so the runner
 * retries the page later.
 */
export async function sendWithRetries(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  request: ImportRequest,
  options: { signal: AbortSignal; retries?: number },
): Promise<Answer> {
  const retries = options.retries ?? 3;
  const what = `${request.method} ${request.path}`;
  const bytes = Buffer.from(request.body);
  for (let attempt = 0; ; attempt++) {
    let delay = backoff(attempt);
    try {
      const response = await sendHttpRequest(deps, connection, {
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(bytes.length <= MAX_INLINE_BYTES
          ? { bodyBase64: bytes.toString('base64') }
          : {
              body: (async function* () {
                yield bytes;
              })(),
            }),
        timeoutMs: TIMEOUT_MS,
        signal: options.signal,
      });
      const status = response.status;
      if (status >= 200 && status <= 299) {
        await discard(response.body);
        return { ok: true };
      }
      const message = `${what} answered ${status}: ${await excerpt(response.body)}`;
      if (status !== 408 && status !== 429 && status < 500) return { ok: false, status, message };
      if (attempt >= retries)
        throw new ConnectionFailure(`http_${status}`, `${message} (after ${attempt + 1} tries)`);
      delay = retryAfter(response.headers['retry-after']) ?? delay;
    } catch (error) {
      if (!(error instanceof ConnectionFailure) || !RETRYABLE.has(error.code) || attempt >= retries)
        throw error;
    }
    await sleep(delay, undefined, { signal: options.signal });
  }
}

function backoff(attempt: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt * (0.75 + Math.random() / 2));
}

/** Retry-After in seconds or as an HTTP date, capped. */
export function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(MAX_DELAY_MS, Math.max(0, ms));
}
