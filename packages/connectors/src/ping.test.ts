import { describe, expect, it } from 'vitest';
import { PingInput, ping } from './ping.ts';

describe('ping', () => {
  it('echoes the payload with the time it was received', () => {
    const before = Date.now();
    const result = ping(PingInput.parse({ payload: 'hello' }));
    expect(result.payload).toBe('hello');
    expect(Date.parse(result.receivedAt)).toBeGreaterThanOrEqual(before);
  });

  it('refuses an oversized payload', () => {
    expect(PingInput.safeParse({ payload: 'x'.repeat(1025) }).success).toBe(false);
  });
});
