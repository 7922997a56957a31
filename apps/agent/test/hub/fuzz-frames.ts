import { randomUUID } from 'node:crypto';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import { MAX_FRAME_BYTES } from '@outpost/protocol/agent/frames';

/**
 * Frames for the protocol fuzzer (fuzz.test.ts), from a seeded generator: `soft` ones have the
 * protocol's shapes with random values (mostly harmless), `hard` ones are mutated bytes, truncated
 * or random data, wrong types, deep nesting, oversized frames (mostly protocol errors).
 */

export interface FuzzFrame {
  data: Buffer | string;
  binary: boolean;
  label: string;
}

/** mulberry32: a seeded generator, so that a failing run can be replayed with OUTPOST_FUZZ_SEED. */
function generator(state: number) {
  let s = state >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const bytes = (length: number) => Buffer.from(Array.from({ length }, () => int(0, 255)));
  return { next, int, pick, bytes };
}

/** A fuzzer whose `http` requests go to `sinkUrl` (a local server that answers at once). */
export function frameFuzzer(seed: number, sinkUrl: string) {
  const random = generator(seed);

  /** Strings that have broken parsers before: quotes, escapes, controls, surrogates, emoji, long. */
  function nastyString(): string {
    return random.pick([
      '',
      '"',
      '\\',
      '\u0000\u0001\u001f',
      '\ud83d\ude00🚀',
      '\ud800',
      '__proto__',
      'constructor',
      '%s%n%x',
      '</script>',
      'x'.repeat(random.int(1, 5000)),
      random.bytes(random.int(1, 40)).toString('latin1'),
    ]);
  }

  function anyValue(depth = 0): unknown {
    const choice = random.int(0, depth > 2 ? 6 : 8);
    switch (choice) {
      case 0:
        return null;
      case 1:
        return random.next() < 0.5;
      case 2:
        return random.pick([0, -1, 1.5, 2 ** 32, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.MIN_VALUE]);
      case 3:
        return random.int(1, 2 ** 31 - 1);
      case 4:
      case 5:
        return nastyString();
      case 6:
        return {};
      case 7:
        return Array.from({ length: random.int(0, 4) }, () => anyValue(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: random.int(1, 4) }, () => [nastyString().slice(0, 20), anyValue(depth + 1)]),
        );
    }
  }

  const fuzzId = () => random.int(1, 2 ** 31 - 1);

  /** Frames of the protocol's own shapes, with values that are valid or close to it. */
  function seedFrame(): Record<string, unknown> {
    const deadline = Date.now() + random.int(-5_000, 30_000);
    switch (random.int(0, 9)) {
      case 0:
        return {
          type: 'request',
          id: fuzzId(),
          deadline,
          op: { kind: 'ping', input: { payload: nastyString() } },
        };
      case 1:
        return {
          type: 'request',
          id: fuzzId(),
          deadline,
          op: {
            kind: 'http',
            input: { method: random.pick(['GET', 'POST', 'BREW']), url: `${sinkUrl}/${random.int(0, 99)}` },
          },
        };
      case 2:
        return {
          type: 'request',
          id: fuzzId(),
          deadline,
          op: { kind: nastyString().slice(0, 64) || 'x', input: anyValue() },
        };
      case 3:
        return { type: 'cancel', id: fuzzId() };
      case 4:
        return { type: 'credit', id: fuzzId(), bytes: random.int(1, 64 * 1024 * 1024) };
      case 5:
        return { type: 'body.end', id: fuzzId() };
      case 6:
        return {
          type: 'body.end',
          id: fuzzId(),
          error: { code: 'x', message: nastyString().slice(0, 4000) },
        };
      case 7:
        return { type: 'error', code: 'fuzz', message: nastyString().slice(0, 4000) };
      case 8:
        return { type: 'goaway', reason: nastyString().slice(0, 200), reconnectAfterMs: random.int(0, 20) };
      default:
        return { type: 'cancel', id: fuzzId(), [nastyString().slice(0, 20) || 'extra']: anyValue() };
    }
  }

  /** Mostly harmless: the protocol's shapes with random values, extra keys, ids of no request. */
  function softFrame(): FuzzFrame {
    const frame = seedFrame();
    if (random.next() < 0.05) {
      // A body chunk for a request that is not in flight: ignored.
      return {
        data: encodeChunk(BinaryKind.REQUEST_BODY, fuzzId(), random.bytes(random.int(0, 512))),
        binary: true,
        label: 'chunk for no request',
      };
    }
    return { data: JSON.stringify(frame), binary: false, label: `soft ${String(frame.type)}` };
  }

  const welcomeFrame = (heartbeatMs = 60_000) => ({
    type: 'welcome',
    protocol: 1,
    agentId: randomUUID(),
    sessionId: randomUUID(),
    heartbeatMs,
    // Older than the agent: no auto-upgrade gets in the way.
    latestVersion: '0.0.1',
    autoUpgrade: false,
  });

  /** Mostly harmful: mutated bytes, truncation, wrong types, random binary, oversized, deep nesting. */
  function hardFrame(): FuzzFrame {
    const text = JSON.stringify(random.next() < 0.2 ? welcomeFrame() : seedFrame());
    switch (random.int(0, 11)) {
      case 0:
      case 1:
      case 2: {
        const mutated = Buffer.from(text);
        for (let i = random.int(1, 6); i > 0; i--)
          mutated[random.int(0, mutated.length - 1)] = random.int(0, 255);
        return { data: mutated, binary: false, label: 'mutated bytes' };
      }
      case 3:
        return { data: text.slice(0, random.int(0, text.length - 1)), binary: false, label: 'truncated' };
      case 4:
        return { data: random.bytes(random.int(0, 64)), binary: true, label: 'random binary' };
      case 5:
        return { data: random.bytes(random.int(1, 64)), binary: false, label: 'random bytes as text' };
      case 6:
        return {
          data: random.pick([
            'null',
            '42',
            '"welcome"',
            '[]',
            '{}',
            'true',
            '{"type":42}',
            '{"type":"launch"}',
          ]),
          binary: false,
          label: 'not a frame',
        };
      case 7:
        return { data: JSON.stringify(welcomeFrame()), binary: false, label: 'second welcome' };
      case 8:
        return {
          data: encodeChunk(BinaryKind.RESPONSE_BODY, fuzzId(), random.bytes(16)),
          binary: true,
          label: 'response body from the hub',
        };
      case 9: {
        const depth = random.int(1_000, 100_000);
        return { data: `${'['.repeat(depth)}${']'.repeat(depth)}`, binary: false, label: 'deep nesting' };
      }
      case 10: {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const keys = Object.keys(parsed);
        parsed[random.pick(keys)] = anyValue();
        return {
          data: JSON.stringify(parsed),
          binary: false,
          label: `wrong value in ${String(parsed.type)}`,
        };
      }
      default: {
        const size = MAX_FRAME_BYTES + random.int(1, 64 * 1024);
        const binary = random.next() < 0.5;
        return { data: binary ? random.bytes(size) : 'x'.repeat(size), binary, label: 'oversized' };
      }
    }
  }

  return { softFrame, hardFrame, welcomeFrame };
}
