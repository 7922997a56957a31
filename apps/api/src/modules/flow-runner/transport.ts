import { ConnectionFailure } from '../connections/runner.ts';
import { HubError } from '../hub/errors.ts';

/**
 * Failures of the way to the system, not of the system's answer: the agent went away or did not
 * answer, the connection was refused or reset, the destination is overloaded. The same page is
 * tried again; anything else (a database error, a refused login, a missing table) fails the run
 * with its message.
 */
const TRANSPORT_CODES = new Set([
  'agent_offline',
  'timeout',
  'cancelled',
  'connection_refused',
  'connection_reset',
  'host_unreachable',
  'upstream_error',
]);
/** An import's destination answered 408, 429 or 5xx, still after the writer's own few tries. */
const RETRYABLE_HTTP = /^http_(408|429|5\d\d)$/;

export function isTransportFailure(error: unknown): error is ConnectionFailure | HubError {
  if (!(error instanceof ConnectionFailure || error instanceof HubError)) return false;
  return TRANSPORT_CODES.has(error.code) || RETRYABLE_HTTP.test(error.code);
}

/** What the log says about a transport failure: "Agent "LAN" is offline", "connection refused"… */
export function describeTransportFailure(
  error: ConnectionFailure | HubError,
  agentName: string | null,
): string {
  if (error.code === 'agent_offline' && agentName) return `Agent "${agentName}" is offline`;
  if (error.code === 'timeout' && agentName) return `Agent "${agentName}" did not answer in time`;
  return error.message.replace(/[.\s]+$/, '');
}

/** Doubling waits from 1 s up to 30 s, each ±20 %, so many runs do not retry in step. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** attempt);
  return Math.min(30_000, Math.round(base * (0.8 + 0.4 * random())));
}
