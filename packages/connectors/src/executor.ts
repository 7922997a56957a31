import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { z } from 'zod';

/**
 * One executor, two places to run it: the API runs it for connections in Mode: Cloud, the agent
 * for Mode: On-premise. Neither side changes the executor; each passes its own checks in the
 * context (SSRF rules in the cloud, the local policy on the agent).
 */
export interface Executor<I = unknown> {
  /** The operation's `kind` on the wire, e.g. `http`. */
  readonly kind: string;
  /** Validates the operation's `input`; an input it refuses is an `invalid_input` error. */
  readonly input: z.ZodType<I>;
  /** The hosts and ports the operation will contact first, for a caller's policy check. */
  targets?(input: I): Target[];
  run(input: I, context: RunContext): Promise<ExecutorOutput>;
}

/** A host (name or IP literal, without brackets) and port the executor is about to contact. */
export interface Target {
  host: string;
  port: number;
}

export interface RunContext {
  /** Aborted on the deadline and on cancel; `signal.reason` says which (see `abortReason`). */
  signal: AbortSignal;
  /** Epoch milliseconds after which the work is pointless. */
  deadline: number;
  /** The request body, when one streams in; read it once. */
  requestBody?: AsyncIterable<Uint8Array>;
  /**
   * Called for every host the executor is about to connect to (each redirect hop too), with the
   * addresses that host resolved to: those, and only those, are then used to connect. Throw an
   * `ExecutorError` (`policy_denied`) to refuse.
   */
  checkTarget?: (target: Target, addresses: readonly string[]) => void | Promise<void>;
  /**
   * The addresses a host name resolves to (default: the system resolver). Called once per
   * connect; what it answers is what `checkTarget` sees and what is connected to.
   */
  resolve?: (host: string) => Promise<string[]>;
}

export interface ExecutorOutput {
  /** JSON-serialisable. */
  result: unknown;
  /** A body to stream after the result; the consumer reads it to the end or stops reading. */
  body?: AsyncIterable<Uint8Array>;
}

export const EXECUTOR_ERROR_CODES = [
  'timeout',
  'cancelled',
  'dns_failed',
  'connection_refused',
  'connection_reset',
  'host_unreachable',
  'tls_error',
  'invalid_input',
  'policy_denied',
  /** The Cloud-mode guard refused a private, loopback or metadata address. */
  'ssrf_blocked',
  /** The server refused the credentials: a database login, an OAuth client, an HTTP 401. */
  'auth_failed',
  /** The database ran the statement and reported an error (syntax, permissions, timeout…). */
  'query_failed',
  /** The authorization server answered with an OAuth error other than a refused client. */
  'oauth_error',
  'too_many_redirects',
  'upstream_error',
  'unknown_operation',
  'internal_error',
] as const;
export type ExecutorErrorCode = (typeof EXECUTOR_ERROR_CODES)[number];

export class ExecutorError extends Error {
  override readonly name = 'ExecutorError';

  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ExecutorErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Why a run's signal was aborted: pass one of these to `AbortController.abort`. */
export const AbortReason = {
  deadline: new ExecutorError('timeout', 'the deadline passed'),
  cancelled: new ExecutorError('cancelled', 'the request was cancelled'),
} as const;

/** The error to report for an aborted signal: its reason when that is an `ExecutorError`. */
export function abortError(signal: AbortSignal): ExecutorError {
  const { reason } = signal;
  if (reason instanceof ExecutorError) return reason;
  return new ExecutorError('cancelled', reason instanceof Error ? reason.message : 'the request was aborted');
}

/** Parses an operation's input with the executor's schema; a refusal is an `invalid_input` error. */
export function parseInput<I>(executor: Executor<I>, input: unknown): I {
  const parsed = executor.input.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new ExecutorError(
    'invalid_input',
    `invalid input for "${executor.kind}"${where}: ${issue?.message ?? 'schema mismatch'}`,
  );
}

/** IP literals stand for themselves; names resolve to every address, each of which is checked. */
export async function resolveHost(host: string, context: Pick<RunContext, 'resolve'>): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    const found = context.resolve
      ? await context.resolve(host)
      : (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    if (found.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
    return found;
  } catch (error) {
    throw networkError(error, `resolving ${host}`);
  }
}

/** Resolves `target`, lets the caller's check refuse it, and returns the checked addresses. */
export async function checkedAddresses(target: Target, context: RunContext): Promise<string[]> {
  const addresses = await resolveHost(target.host, context);
  await context.checkTarget?.(target, addresses);
  context.signal.throwIfAborted();
  return addresses;
}

/** Maps a Node.js network error to an executor error; anything unknown is an `upstream_error`. */
export function networkError(error: unknown, what: string): ExecutorError {
  if (error instanceof ExecutorError) return error;
  const code = typeof error === 'object' && error && 'code' in error ? String(error.code) : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return new ExecutorError('connection_refused', `${what}: connection refused`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'ENODATA')
    return new ExecutorError('dns_failed', `${what}: the host name did not resolve (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new ExecutorError('connection_reset', `${what}: the connection was reset`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT')
    return new ExecutorError('host_unreachable', `${what}: the host is unreachable (${code})`);
  if (TLS_CODES.test(code)) return new ExecutorError('tls_error', `${what}: TLS failed: ${detail}`);
  return new ExecutorError('upstream_error', `${what}: ${detail}`, { cause: error });
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO|HOSTNAME_MISMATCH|ERR_OSSL)/;
