import type { ConnectionTestResult } from '@outpost/protocol/rest/connections';

/**
 * What Test connection showed: the API's result, or the save that had to come first and failed
 * (a new connection, or changes, are saved before they are tested).
 */
export type TestOutcome =
  /** The API tested it; `via` names the agent of an On-premise connection. */
  | { kind: 'result'; result: ConnectionTestResult; via: string | null }
  /** It could not be tested: the save before it failed, or the request did. */
  | { kind: 'not_run'; title: string; message: string; blockedPrivateAddress: boolean };

const TITLES: Record<string, string> = {
  agent_offline: 'Agent offline',
  no_agent: 'No agent',
  agent_error: 'The agent could not run the test',
  dns_failed: 'Host not found',
  connection_refused: 'Connection refused',
  connection_reset: 'Connection reset',
  host_unreachable: 'Host unreachable',
  tls_error: 'TLS error',
  timeout: 'Timed out',
  policy_denied: "Blocked by the agent's policy",
  ssrf_blocked: 'Blocked: private address — choose On-premise',
  auth_failed: 'Sign-in refused',
  oauth_error: 'OAuth 2.0 token refused',
  query_failed: 'The query failed',
  too_many_redirects: 'Too many redirects',
  upstream_error: 'The server failed',
  cancelled: 'Cancelled',
  http_401: 'Credentials refused (HTTP 401)',
  http_403: 'Not allowed (HTTP 403)',
  http_404: 'Not found (HTTP 404)',
};

/** The headline of a failed test, from its code: "Agent offline", "Connection refused", "HTTP 502". */
export function failureTitle(code: string): string {
  const known = TITLES[code];
  if (known) return known;
  const status = /^http_(\d{3})$/.exec(code)?.[1];
  if (status) return `The server answered HTTP ${status}`;
  return 'Test failed';
}

/** "38 ms", "1.2 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Issue paths whose host a Cloud connection may not reach (the API's guard names these fields). */
export const ADDRESS_FIELDS = ['http.baseUri', 'http.auth.tokenUrl', 'sql.host'] as const;
