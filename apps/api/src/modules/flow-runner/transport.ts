import { ConnectionFailure } from '../connections/runner.ts';
import { HubError } from '../hub/errors.ts';

/**
 * Failures of the way to the system, not of the system's answer: the agent went away or did not
 * answer, the connection was refused or reset. The same page is tried again; anything else (a
 * database error, a refused login, a missing table) fails the run with its message.
 */
const TRANSPORT_CODES = new Set([
  'agent_offline',
  'timeout',
  'cancelled',
  'connection_refused',
  'connection_reset',
  'host_unreachable',
]);

export function isTransportFailure(error: unknown): error is ConnectionFailure | HubError {
  if (error instanceof ConnectionFailure || error instanceof HubError) return TRANSPORT_CODES.has(error.code);
  // A failure a reader or writer marks as worth another try (an HTTP 503, a 429…).
  return error instanceof Error && (error as { retryable?: unknown }).retryable === true;
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
