import { Readable } from 'node:stream';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import { INITIAL_STREAM_CREDIT, MAX_CHUNK_BYTES } from '@outpost/protocol/agent/frames';

/**
 * A body arriving from the agent. Credit is granted only as the consumer reads, so at most the
 * initial window is ever buffered here, however large the body; and only in batches of at least a
 * chunk, so that a small body (all of it within the first window) costs no credit frame at all.
 */
export class IncomingBody extends Readable {
  #unacknowledged = 0;

  constructor(private readonly grantCredit: (bytes: number) => void) {
    super({ highWaterMark: INITIAL_STREAM_CREDIT });
  }

  override _read(): void {
    // The sender waits for credit only once the whole window is out, far past one chunk.
    if (this.#unacknowledged < MAX_CHUNK_BYTES) return;
    const bytes = this.#unacknowledged;
    this.#unacknowledged = 0;
    this.grantCredit(bytes);
  }

  /** A chunk from the wire; false when the agent sent more than its credit allows. */
  receive(chunk: Buffer): boolean {
    this.#unacknowledged += chunk.length;
    if (this.#unacknowledged > INITIAL_STREAM_CREDIT) return false;
    this.push(chunk);
    return true;
  }

  finish(error?: Error): void {
    if (error) this.destroy(error);
    else this.push(null);
  }
}

/**
 * Sends a body in binary chunks, waiting for credit whenever the window is used up: a request body
 * to the agent, or (between instances) a response body back to the instance that asked.
 */
export class OutgoingBody {
  #credit = INITIAL_STREAM_CREDIT;
  #waiting: (() => void) | undefined;

  constructor(
    private readonly id: number,
    private readonly send: (frame: Buffer) => Promise<void>,
    private readonly kind: BinaryKind = BinaryKind.REQUEST_BODY,
  ) {}

  addCredit(bytes: number): void {
    this.#credit += bytes;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  /**
   * Sends every chunk of `body`, and resolves once the last was handed to the socket. The credit,
   * not the socket's write callbacks, bounds what is in flight, so the end of the body (sent by the
   * caller right after) leaves in the same write as its last chunk; a failed write stops the pump.
   */
  async pump(body: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
    let failed: { error: unknown } | undefined;
    for await (const piece of body) {
      for (let offset = 0; offset < piece.byteLength; offset += MAX_CHUNK_BYTES) {
        const chunk = piece.subarray(offset, offset + MAX_CHUNK_BYTES);
        while (this.#credit < chunk.byteLength) {
          if (signal.aborted) return;
          await new Promise<void>((resolve) => {
            this.#waiting = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
        if (failed) throw failed.error;
        if (signal.aborted) return;
        this.#credit -= chunk.byteLength;
        this.send(encodeChunk(this.kind, this.id, chunk)).catch((error: unknown) => {
          failed ??= { error };
          this.addCredit(0); // wakes a pump waiting for credit, to see the failure
        });
      }
    }
    if (failed) throw failed.error;
  }
}
