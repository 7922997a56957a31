/**
 * Connection pools by key (a digest of the connection settings), on whichever side runs the
 * executor. A pool unused for `idleMs` is closed; past `max` pools the least recently used goes.
 */
export class PoolCache<P> {
  readonly #pools = new Map<string, { pool: P; usedAt: number }>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly close: (pool: P) => Promise<void> | void,
    private readonly options: { idleMs: number; max: number } = { idleMs: 5 * 60_000, max: 100 },
  ) {}

  get size(): number {
    return this.#pools.size;
  }

  get(key: string, create: () => P): P {
    const entry = this.#pools.get(key);
    if (entry) {
      // Re-inserted, so that the map's order is least recently used first.
      this.#pools.delete(key);
      this.#pools.set(key, { pool: entry.pool, usedAt: Date.now() });
      return entry.pool;
    }
    const pool = create();
    this.#pools.set(key, { pool, usedAt: Date.now() });
    for (const [oldest] of this.#pools) {
      if (this.#pools.size <= this.options.max) break;
      this.#evict(oldest);
    }
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.min(60_000, this.options.idleMs)).unref();
    return pool;
  }

  /** Closes every pool (shutdown, tests). */
  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.allSettled(pools.map(({ pool }) => this.close(pool)));
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, { usedAt }] of this.#pools) if (now - usedAt > this.options.idleMs) this.#evict(key);
  }

  #evict(key: string): void {
    const entry = this.#pools.get(key);
    if (!entry) return;
    this.#pools.delete(key);
    Promise.resolve()
      .then(() => this.close(entry.pool))
      .catch(() => {});
  }
}
