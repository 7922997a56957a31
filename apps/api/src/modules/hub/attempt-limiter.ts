/**
 * Counts attempts per key in a fixed window; used to slow down token guessing at the hub.
 * In-process; the scale-out build shares the counts through Redis.
 */
export class AttemptLimiter {
  readonly #counts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an attempt; false when the key is over its limit for this window. */
  attempt(key: string, now = Date.now()): boolean {
    if (this.#counts.size > 100_000) this.#sweep(now);
    const entry = this.#counts.get(key);
    if (!entry || entry.resetAt <= now) {
      this.#counts.set(key, { count: 1, resetAt: now + this.windowMs });
      return true;
    }
    entry.count += 1;
    return entry.count <= this.limit;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#counts) if (entry.resetAt <= now) this.#counts.delete(key);
  }
}
