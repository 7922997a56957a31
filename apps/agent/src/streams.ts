import { INITIAL_STREAM_CREDIT, MAX_CHUNK_BYTES } from '@outpost/protocol/agent/frames';

/**
 * Credit-based flow control for bodies (PROTOCOL.md, "Bodies and flow control"): a sender may have
 * at most its credit in flight; the receiver grants more as it hands bytes on. Neither side ever
 * holds more than one window of a body.
 */

/** The sender's side: how many bytes it may still send, and a wait for more. */
export class CreditWindow {
  #available: number;
  #waiter: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(initial = INITIAL_STREAM_CREDIT) {
    this.#available = initial;
  }

  get available(): number {
    return this.#available;
  }

  grant(bytes: number): void {
    this.#available += bytes;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve();
  }

  /** Up to `wanted` bytes of credit, waiting while there is none; rejects when `signal` aborts. */
  async take(wanted: number, signal: AbortSignal): Promise<number> {
    while (this.#available <= 0) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const abort = () => reject(signal.reason);
        signal.addEventListener('abort', abort, { once: true });
        this.#waiter = {
          resolve: () => {
            signal.removeEventListener('abort', abort);
            resolve();
          },
          reject,
        };
      });
    }
    const granted = Math.min(wanted, this.#available);
    this.#available -= granted;
    return granted;
  }
}

/**
 * Sends `body` as chunks of at most `MAX_CHUNK_BYTES`, never past the credit: a chunk from the
 * source is split where the credit or the chunk size runs out.
 */
export async function sendBody(
  body: AsyncIterable<Uint8Array>,
  window: CreditWindow,
  send: (chunk: Uint8Array) => void,
  signal: AbortSignal,
): Promise<number> {
  let sent = 0;
  for await (const piece of body) {
    signal.throwIfAborted();
    let offset = 0;
    while (offset < piece.byteLength) {
      const size = await window.take(Math.min(MAX_CHUNK_BYTES, piece.byteLength - offset), signal);
      send(piece.subarray(offset, offset + size));
      offset += size;
      sent += size;
    }
  }
  return sent;
}

export class FlowControlError extends Error {
  override readonly name = 'FlowControlError';
}

/**
 * The receiver's side: chunks are queued as they arrive (at most one window, or the sender broke
 * the protocol) and read as an async iterable; credit is granted for what the reader has taken
 * and asked past, in batches of at least one chunk.
 */
export class BodyReceiver implements AsyncIterable<Uint8Array> {
  #queue: Uint8Array[] = [];
  #window: number;
  #ungranted = 0;
  #ended = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(
    private readonly grant: (bytes: number) => void,
    initial = INITIAL_STREAM_CREDIT,
    private readonly batch = MAX_CHUNK_BYTES,
  ) {
    this.#window = initial;
  }

  /** Bytes the sender may still send before it needs more credit. */
  get window(): number {
    return this.#window;
  }

  /** Throws `FlowControlError` when the sender went past its credit or the chunk size. */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new FlowControlError('a body chunk after body.end');
    if (chunk.byteLength > MAX_CHUNK_BYTES)
      throw new FlowControlError(`a body chunk of ${chunk.byteLength} bytes exceeds ${MAX_CHUNK_BYTES}`);
    if (chunk.byteLength > this.#window) throw new FlowControlError('a body chunk beyond the granted credit');
    this.#window -= chunk.byteLength;
    if (this.#closed) return;
    this.#queue.push(chunk);
    this.#notify();
  }

  end(error?: unknown): void {
    this.#ended = true;
    if (error !== undefined) this.#error = error;
    this.#notify();
  }

  /** The reader is gone: drop what is queued and whatever still arrives. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      while (!this.#closed) {
        const chunk = this.#queue.shift();
        if (chunk) {
          yield chunk;
          this.#consumed(chunk.byteLength);
          continue;
        }
        if (this.#error !== null) throw this.#error;
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  #consumed(bytes: number): void {
    this.#ungranted += bytes;
    if (this.#ungranted < this.batch || this.#ended) return;
    this.#window += this.#ungranted;
    this.grant(this.#ungranted);
    this.#ungranted = 0;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
