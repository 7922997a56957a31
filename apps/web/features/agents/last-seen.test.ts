import { describe, expect, it } from 'vitest';
import { lastSeen } from './last-seen';

describe('lastSeen', () => {
  const now = Date.parse('2026-11-28T12:00:00.000Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('says minutes briefly, then hours and days in words', () => {
    expect(lastSeen(ago(20_000), now)).toBe('just now');
    expect(lastSeen(ago(3 * 60_000 + 5_000), now)).toBe('3 min ago');
    expect(lastSeen(ago(2 * 3_600_000), now)).toBe('2 hours ago');
    expect(lastSeen(ago(26 * 3_600_000), now)).toBe('yesterday');
  });
});
