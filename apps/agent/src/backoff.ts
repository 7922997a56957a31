/**
 * Exponential back-off with full jitter: the n-th wait is uniform in [0, min(cap, base·2ⁿ)], so
 * that agents cut off together (a hub restart) do not all come back in the same second.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly random: () => number = Math.random,
    readonly baseMs = 1_000,
    readonly capMs = 30_000,
  ) {}

  /** The ceiling of the next wait, before jitter. */
  get ceilingMs(): number {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.#attempt, 30));
  }

  next(): number {
    const delay = Math.round(this.random() * this.ceilingMs);
    this.#attempt++;
    return delay;
  }

  /** After a healthy connection: the next wait starts from the base again. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** How long a session must have been up for the next disconnect to start the back-off afresh. */
export const HEALTHY_SESSION_MS = 60_000;
