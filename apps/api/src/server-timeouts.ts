/**
 * How long a client may hold a connection without making progress, so that slow or silent clients
 * (slowloris, idle keep-alive) cannot pile up connections. Node checks the request and header
 * timeouts every `checkIntervalMs`, so a client that trickles its headers is cut within
 * `headersMs + checkIntervalMs`. Request headers are capped at `maxHeaderBytes` (431 beyond).
 */
export interface ServerTimeouts {
  /** A socket with no traffic either way is closed. */
  connectionMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestMs: number;
  /** The request headers must arrive within this. */
  headersMs: number;
  /** An idle keep-alive connection is closed after this (above common load balancers' 60 s). */
  keepAliveMs: number;
  checkIntervalMs: number;
  maxHeaderBytes: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  connectionMs: 60_000,
  requestMs: 30_000,
  headersMs: 20_000,
  keepAliveMs: 72_000,
  checkIntervalMs: 5_000,
  maxHeaderBytes: 16 * 1024,
};
