/**
 * WebSocket close codes and what they mean. An agent stops for good on `TOKEN_REVOKED` and
 * `AGENT_DELETED`; on every other code it reconnects with back-off.
 */
export const CloseCode = {
  /** Standard: the hub is shutting down or draining; reconnect (elsewhere). */
  GOING_AWAY: 1001,
  /** The token was replaced with Generate token. */
  TOKEN_REVOKED: 4001,
  /** The agent was deleted in Outpost. */
  AGENT_DELETED: 4002,
  /** Another session of this agent is live and healthy; the reason names where it runs. */
  DUPLICATE_SESSION: 4003,
  /** A malformed, unknown, oversized or out-of-order frame. */
  PROTOCOL_ERROR: 4004,
  /** The agent's protocol version is no longer accepted; upgrade the agent. */
  UPGRADE_REQUIRED: 4005,
  /** This session was replaced by a newer one of the same agent. */
  REPLACED: 4006,
  /** No `hello` within the handshake timeout, or heartbeats missed. */
  TIMEOUT: 4007,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting cannot help. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.TOKEN_REVOKED,
  CloseCode.AGENT_DELETED,
  CloseCode.UPGRADE_REQUIRED,
]);
