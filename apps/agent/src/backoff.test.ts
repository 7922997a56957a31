import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('back-off with full jitter', () => {
  it('doubles its ceiling from 1 s to a 30 s cap', () => {
    const backoff = new Backoff(() => 1);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('draws each wait uniformly between 0 and the ceiling', () => {
    const backoff = new Backoff();
    for (let attempt = 0; attempt < 200; attempt++) {
      const ceiling = backoff.ceilingMs;
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(new Backoff(() => 0).next()).toBe(0);
    const spread = new Set(Array.from({ length: 50 }, () => new Backoff().next()));
    expect(spread.size).toBeGreaterThan(10);
  });

  it('starts from the base again after a reset', () => {
    const backoff = new Backoff(() => 1);
    for (let i = 0; i < 6; i++) backoff.next();
    expect(backoff.ceilingMs).toBe(30_000);
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
    expect(backoff.next()).toBe(2_000);
  });

  it('never overflows however long it keeps failing', () => {
    const backoff = new Backoff(() => 1);
    for (let i = 0; i < 10_000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});
