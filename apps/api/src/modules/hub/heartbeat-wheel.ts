/** A session the wheel pings. */
export interface Beating {
  heartbeat(): void;
}

const SLOTS = 16;

/**
 * One timer for the heartbeats of every session, instead of one per session: sessions sit in
 * `SLOTS` slots, and each tick (a sixteenth of the interval) beats one slot, so that each session
 * is beaten once per interval and the pings of many sessions spread over it. A session joins the
 * slot that was just beaten, so its first beat comes about one interval after it joined.
 */
export class HeartbeatWheel {
  readonly #slots: Set<Beating>[] = Array.from({ length: SLOTS }, () => new Set());
  readonly #slotOf = new Map<Beating, number>();
  /** The slot the last tick beat. */
  #current = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(session: Beating): void {
    if (this.#slotOf.has(session)) return;
    this.#slots[this.#current]?.add(session);
    this.#slotOf.set(session, this.#current);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#tick(), Math.max(1, Math.floor(this.intervalMs / SLOTS)));
      this.#timer.unref();
    }
  }

  delete(session: Beating): void {
    const slot = this.#slotOf.get(session);
    if (slot === undefined) return;
    this.#slotOf.delete(session);
    this.#slots[slot]?.delete(session);
    if (this.#slotOf.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #tick(): void {
    this.#current = (this.#current + 1) % SLOTS;
    // A copy: a beat may close its session, which leaves the wheel.
    for (const session of [...(this.#slots[this.#current] ?? [])]) session.heartbeat();
  }
}
