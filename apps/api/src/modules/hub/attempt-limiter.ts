import type { Redis } from 'ioredis';

/**
 * Counts attempts per key in a fixed window; slows down token and password guessing. The window
 * starts at a key's first attempt.
 */
export interface AttemptLimiter {
  /** Records an attempt; false when the key is over its limit for this window. */
  attempt(key: string): Promise<boolean>;
  /** Without recording anything: 0 while the key has attempts left, else the ms until its window ends. */
  retryAfterMs(key: string): Promise<number>;
}

/** Counts in this process: one instance. */
export class LocalAttemptLimiter implements AttemptLimiter {
  readonly #counts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async attempt(key: string, now = Date.now()): Promise<boolean> {
    if (this.#counts.size > 100_000) this.#sweep(now);
    const entry = this.#counts.get(key);
    if (!entry || entry.resetAt <= now) {
      this.#counts.set(key, { count: 1, resetAt: now + this.windowMs });
      return 1 <= this.limit;
    }
    entry.count += 1;
    return entry.count <= this.limit;
  }

  async retryAfterMs(key: string, now = Date.now()): Promise<number> {
    const entry = this.#counts.get(key);
    if (!entry || entry.resetAt <= now || entry.count < this.limit) return 0;
    return entry.resetAt - now;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#counts) if (entry.resetAt <= now) this.#counts.delete(key);
  }
}

/** Counts in Redis, shared by every instance. */
export class SharedAttemptLimiter implements AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    /** The key of a counter, from the caller's key. */
    private readonly keyOf: (key: string) => string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async attempt(key: string): Promise<boolean> {
    const name = this.keyOf(key);
    const results = await this.redis.multi().incr(name).pexpire(name, this.windowMs, 'NX').exec();
    const [error, count] = results?.[0] ?? [new Error('no reply from Redis')];
    if (error) throw error;
    return Number(count) <= this.limit;
  }

  async retryAfterMs(key: string): Promise<number> {
    const name = this.keyOf(key);
    const results = await this.redis.multi().get(name).pttl(name).exec();
    const [countError, count] = results?.[0] ?? [new Error('no reply from Redis')];
    const [ttlError, ttl] = results?.[1] ?? [new Error('no reply from Redis')];
    if (countError ?? ttlError) throw countError ?? ttlError;
    if (Number(count ?? 0) < this.limit) return 0;
    return Math.max(Number(ttl), 1);
  }
}
