import { INITIAL_STREAM_CREDIT, MAX_CHUNK_BYTES } from '@outpost/protocol/agent/frames';
import { describe, expect, it } from 'vitest';
import { BodyReceiver, CreditWindow, FlowControlError, sendBody } from './streams.ts';

const KiB = 1024;
const never = new AbortController().signal;
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function* pieces(...sizes: number[]) {
  for (const size of sizes) yield new Uint8Array(size);
}

describe('sending a body with credit', () => {
  it('splits chunks at the chunk size and stops at the credit until more is granted', async () => {
    const window = new CreditWindow();
    const sent: number[] = [];
    const done = sendBody(
      pieces(600 * KiB, 600 * KiB, 100 * KiB),
      window,
      (chunk) => sent.push(chunk.byteLength),
      never,
    );
    await tick();
    expect(sent.reduce((a, b) => a + b, 0)).toBe(INITIAL_STREAM_CREDIT);
    expect(Math.max(...sent)).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    expect(sent).toEqual([256 * KiB, 256 * KiB, 88 * KiB, 256 * KiB, 168 * KiB]);
    window.grant(100 * KiB);
    await tick();
    expect(sent.at(-1)).toBe(100 * KiB);
    window.grant(1024 * KiB);
    expect(await done).toBe(1300 * KiB);
    expect(window.available).toBe(INITIAL_STREAM_CREDIT + 1124 * KiB - 1300 * KiB);
  });

  it('gives up waiting for credit when the request is aborted', async () => {
    const controller = new AbortController();
    const window = new CreditWindow(10);
    const done = sendBody(pieces(20), window, () => {}, controller.signal);
    await tick();
    controller.abort(new Error('cancelled'));
    await expect(done).rejects.toThrow('cancelled');
  });
});

describe('receiving a body with credit', () => {
  it('grants credit as the reader takes chunks, in batches of a chunk', async () => {
    const grants: number[] = [];
    const receiver = new BodyReceiver((bytes) => grants.push(bytes));
    for (let i = 0; i < 8; i++) receiver.push(new Uint8Array(128 * KiB));
    expect(receiver.window).toBe(0);
    expect(grants).toEqual([]);
    const reader = receiver[Symbol.asyncIterator]();
    await reader.next();
    await reader.next();
    expect(grants).toEqual([]);
    await reader.next();
    expect(grants).toEqual([256 * KiB]);
    expect(receiver.window).toBe(256 * KiB);
  });

  it('hands every byte on, then ends', async () => {
    const receiver = new BodyReceiver(() => {});
    const read = (async () => {
      let total = 0;
      for await (const chunk of receiver) total += chunk.byteLength;
      return total;
    })();
    receiver.push(new Uint8Array(1000));
    await tick();
    receiver.push(new Uint8Array(24));
    receiver.end();
    expect(await read).toBe(1024);
  });

  it('fails the reader when the body fails', async () => {
    const receiver = new BodyReceiver(() => {});
    receiver.push(new Uint8Array(1));
    receiver.end(new Error('upstream went away'));
    const read = async () => {
      for await (const _chunk of receiver);
    };
    await expect(read()).rejects.toThrow('upstream went away');
  });

  it('refuses a sender that goes past its credit or the chunk size', () => {
    const receiver = new BodyReceiver(() => {}, 100);
    expect(() => receiver.push(new Uint8Array(MAX_CHUNK_BYTES + 1))).toThrow(FlowControlError);
    receiver.push(new Uint8Array(100));
    expect(() => receiver.push(new Uint8Array(1))).toThrow(/beyond the granted credit/);
    receiver.end();
    expect(() => receiver.push(new Uint8Array(0))).toThrow(/after body.end/);
  });

  it('drops what arrives after the reader is gone', async () => {
    const receiver = new BodyReceiver(() => {});
    receiver.push(new Uint8Array(10));
    for await (const _chunk of receiver) break;
    receiver.push(new Uint8Array(10));
    expect(receiver.window).toBe(INITIAL_STREAM_CREDIT - 20);
  });
});
