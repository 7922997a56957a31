import { CloseCode, FINAL_CLOSE_CODES } from '@outpost/protocol/agent/close-codes';
import { describe, expect, it } from 'vitest';
import type { SessionEnd } from './session.ts';
import { outcomeOf } from './supervisor.ts';

type Closed = Extract<SessionEnd, { kind: 'closed' }>;
const closed = (code: number, reason = '', extra: Partial<Closed> = {}): Closed => ({
  kind: 'closed',
  code,
  reason,
  welcome: null,
  upMs: 0,
  ...extra,
});

describe('what a session end means', () => {
  it('stops for good on every final close code, saying why', () => {
    expect(outcomeOf(closed(CloseCode.TOKEN_REVOKED, 'token revoked')).final).toBe(
      'token revoked: enter the new token with `outpost-agent token set`',
    );
    expect(outcomeOf(closed(CloseCode.AGENT_DELETED)).final).toBe('this agent was deleted in Outpost');
    expect(outcomeOf(closed(CloseCode.UPGRADE_REQUIRED)).final).toMatch(/^upgrade required/);
    for (const code of FINAL_CLOSE_CODES) expect(outcomeOf(closed(code)).final).toBeTruthy();
  });

  it('stops for good when the upgrade is refused with 401', () => {
    expect(outcomeOf({ kind: 'refused', status: 401 }).final).toBe(
      'the token was refused (revoked or mistyped): enter the new token with `outpost-agent token set`',
    );
  });

  it('reconnects on everything else, naming code and reason', () => {
    for (const code of [1000, 1001, 1006, 4003, 4004, 4006, 4007])
      expect(outcomeOf(closed(code)).final).toBeUndefined();
    expect(outcomeOf(closed(4003, 'agent already connected from vm1 (pid 42)')).message).toBe(
      'disconnected (4003, agent already connected from vm1 (pid 42))',
    );
    expect(
      outcomeOf(closed(1006, '', { localReason: 'heard nothing from Outpost for 45.0 s' })).message,
    ).toBe('disconnected (1006, heard nothing from Outpost for 45.0 s)');
    expect(outcomeOf({ kind: 'unreachable', message: 'connection refused' })).toEqual({
      message: 'could not connect (connection refused)',
    });
    expect(outcomeOf({ kind: 'refused', status: 503 }).final).toBeUndefined();
  });

  it('waits at least as long as the hub asks', () => {
    expect(outcomeOf({ kind: 'refused', status: 429, retryAfterMs: 5_000 }).atLeastMs).toBe(5_000);
    const goAway = { type: 'goaway' as const, reason: 'draining', reconnectAfterMs: 2_000 };
    expect(outcomeOf(closed(1001, 'draining', { goAway })).atLeastMs).toBe(2_000);
  });
});
