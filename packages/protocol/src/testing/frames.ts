import fc from 'fast-check';
import { BINARY_HEADER_BYTES, BinaryKind, encodeChunk } from '../agent/binary.ts';
import {
  type AgentFrame,
  type HubFrame,
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
} from '../agent/frames.ts';

/**
 * fast-check arbitraries for the agent wire protocol, for the fuzz properties of both sides (the
 * dispatcher here, the hub in apps/api, the agent in apps/agent): valid frames of each side, the
 * same frames mutated (fields dropped, retyped, added, deep nesting, unicode, prototype keys),
 * mutated or truncated JSON text, random binary frames and oversized ones.
 */

/** A raw WebSocket message: what a peer could put on the wire. */
export interface RawFrame {
  data: Buffer | string;
  binary: boolean;
  /** What kind of frame this is, for messages: `valid credit`, `mutated hello`, `oversized`… */
  label: string;
}

/** Keys that have broken JavaScript object handling before. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  'type',
  'id',
] as const;

const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
export const nastyString = fc.oneof(
  text(40),
  fc.constantFrom(
    '',
    '"',
    '\\',
    '\u0000\u001f',
    '\ud800',
    '\udfff\ud800',
    '🚀'.repeat(3),
    '%s%n',
    ...NASTY_KEYS,
  ),
  fc.integer({ min: 201, max: 5_000 }).map((length) => 'x'.repeat(length)),
);
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_KEYS) },
  { weight: 2, arbitrary: text(12) },
);

/** Any JSON value, with nasty keys and strings, up to a few levels deep. */
export const anyJson: fc.Arbitrary<unknown> = fc.anything({
  key,
  maxDepth: 3,
  maxKeys: 5,
  values: [
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(0, -1, 1.5, 2 ** 32, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.MIN_VALUE),
    nastyString,
  ],
});

const requestId = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const shortText = text(60);
const operationError = fc.record(
  { code: text(20), message: text(200), details: fc.dictionary(text(10), anyJson, { maxKeys: 3 }) },
  { requiredKeys: ['code', 'message'] },
);

/** Hello's texts are stored by the hub: no NUL. */
const storedText = shortText.map((value) => value.replaceAll('\0', ''));
export const validHello = fc.record({
  type: fc.constant('hello' as const),
  protocol: fc.constant(PROTOCOL_VERSION),
  agent: fc.record({
    version: storedText,
    os: storedText,
    arch: storedText,
    hostname: storedText,
    machineId: storedText,
    pid: fc.nat(),
    nodeVersion: storedText,
  }),
});

const credit = fc.record({
  type: fc.constant('credit' as const),
  id: requestId,
  bytes: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
});
const bodyEnd = fc.record(
  { type: fc.constant('body.end' as const), id: requestId, error: operationError },
  { requiredKeys: ['type', 'id'] },
);
const errorFrame = fc.record({ type: fc.constant('error' as const), code: text(20), message: text(200) });

/** Frames the hub accepts, each valid (the ids mostly of no request in flight). */
export const validAgentFrame: fc.Arbitrary<AgentFrame> = fc.oneof(
  validHello,
  fc.record(
    {
      type: fc.constant('response' as const),
      id: requestId,
      ok: fc.constant(true as const),
      result: anyJson,
      streamsBody: fc.boolean(),
    },
    { requiredKeys: ['type', 'id', 'ok', 'result'] },
  ),
  fc.record({
    type: fc.constant('response' as const),
    id: requestId,
    ok: fc.constant(false as const),
    error: operationError,
  }),
  credit,
  bodyEnd,
  errorFrame,
);

/** Frames an agent accepts, each valid; requests are `ping`s or operations of unknown kinds. */
export const validHubFrame: fc.Arbitrary<HubFrame> = fc.oneof(
  fc.record({
    type: fc.constant('request' as const),
    id: requestId,
    deadline: fc.integer({ min: -5_000, max: 30_000 }).map((offset) => Math.max(1, Date.now() + offset)),
    op: fc.oneof(
      fc.record({ kind: fc.constant('ping'), input: fc.record({ payload: nastyString }) }),
      fc.record({ kind: text(64).filter((kind) => kind.length > 0), input: anyJson }),
    ),
  }),
  fc.record({ type: fc.constant('cancel' as const), id: requestId }),
  credit,
  bodyEnd,
  errorFrame,
  fc.record({
    type: fc.constant('goaway' as const),
    reason: shortText,
    reconnectAfterMs: fc.integer({ min: 0, max: 20 }),
  }),
);

type Mutation = (frame: Record<string, unknown>) => fc.Arbitrary<unknown>;
const pickKey = (frame: Record<string, unknown>) => fc.constantFrom(...Object.keys(frame));
const MUTATIONS: Mutation[] = [
  // A field dropped.
  (frame) =>
    pickKey(frame).map((dropped) => Object.fromEntries(Object.entries(frame).filter(([k]) => k !== dropped))),
  // A field of another type.
  (frame) => fc.tuple(pickKey(frame), anyJson).map(([k, value]) => ({ ...frame, [k]: value })),
  // An extra field.
  (frame) => fc.tuple(key, anyJson).map(([k, value]) => withOwn(frame, k, value)),
  // A field nested deep in arrays or objects.
  (frame) =>
    fc.tuple(pickKey(frame), fc.integer({ min: 1, max: 2_000 }), fc.boolean()).map(([k, depth, arrays]) => {
      let value: unknown = frame[k];
      for (let i = 0; i < depth; i++) value = arrays ? [value] : { [k]: value };
      return { ...frame, [k]: value };
    }),
  // Another frame type (often the other side's).
  (frame) =>
    fc
      .constantFrom(
        'hello',
        'welcome',
        'request',
        'response',
        'cancel',
        'credit',
        'body.end',
        'error',
        'goaway',
        '',
      )
      .map((type) => ({ ...frame, type })),
];

/** An own property, even for `__proto__` (which an assignment would take as the prototype). */
function withOwn(frame: Record<string, unknown>, k: string, value: unknown): Record<string, unknown> {
  const copy = { ...frame };
  Object.defineProperty(copy, k, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** A valid frame with one to three mutations. */
export function mutatedFrame(valid: fc.Arbitrary<object>): fc.Arbitrary<unknown> {
  const once = (frame: unknown): fc.Arbitrary<unknown> =>
    frame && typeof frame === 'object' && !Array.isArray(frame) && Object.keys(frame).length > 0
      ? fc.constantFrom(...MUTATIONS).chain((mutate) => mutate(frame as Record<string, unknown>))
      : fc.constant(frame);
  return valid.chain(once).chain((frame) => fc.oneof(fc.constant(frame), once(frame)));
}

const asText = (value: unknown, label: string): RawFrame => ({
  data: JSON.stringify(value) ?? 'null',
  binary: false,
  label,
});

/** JSON text with bytes flipped, inserted or cut off. */
function mangledText(valid: fc.Arbitrary<object>): fc.Arbitrary<RawFrame> {
  return valid.chain((frame) => {
    const bytes = Buffer.from(JSON.stringify(frame));
    return fc.oneof(
      fc.integer({ min: 0, max: bytes.length - 1 }).map((end) => ({
        data: bytes.subarray(0, end),
        binary: false,
        label: 'truncated',
      })),
      fc
        .array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        })
        .map((flips) => {
          const copy = Buffer.from(bytes);
          for (const [at, value] of flips) copy[at] = value;
          return { data: copy, binary: false, label: 'mutated bytes' };
        }),
    );
  });
}

/** Binary frames: random kinds, ids and lengths, headers cut short, chunks of the wrong direction. */
export const binaryFrame: fc.Arbitrary<RawFrame> = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(BinaryKind.REQUEST_BODY, BinaryKind.RESPONSE_BODY),
        fc.integer({ min: 0, max: 255 }),
      ),
      fc.oneof(fc.constant(0), requestId),
      fc.uint8Array({ maxLength: 2_048 }),
    )
    .map(([kind, id, chunk]) => {
      const frame = Buffer.alloc(BINARY_HEADER_BYTES + chunk.length);
      frame[0] = kind;
      frame.writeUInt32BE(id, 1);
      frame.set(chunk, BINARY_HEADER_BYTES);
      return { data: frame, binary: true, label: `binary kind ${kind} id ${id}` };
    }),
  fc
    .uint8Array({ maxLength: BINARY_HEADER_BYTES - 1 })
    .map((bytes) => ({ data: Buffer.from(bytes), binary: true, label: 'binary header cut short' })),
  fc.tuple(requestId, fc.integer({ min: 0, max: MAX_CHUNK_BYTES })).map(([id, length]) => ({
    data: encodeChunk(BinaryKind.RESPONSE_BODY, id, Buffer.alloc(length, 7)),
    binary: true,
    label: 'body chunk of no request',
  })),
);

/** Over the frame limit, text or binary. */
export const oversizedFrame: fc.Arbitrary<RawFrame> = fc
  .tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean())
  .map(([extra, binary]) => ({
    data: binary ? Buffer.alloc(MAX_FRAME_BYTES + extra, 1) : 'x'.repeat(MAX_FRAME_BYTES + extra),
    binary,
    label: 'oversized',
  }));

/**
 * Every kind of raw message a peer could send to the side that accepts `valid` frames. The
 * weights favour frames close to valid ones, which reach deeper than random bytes do.
 */
export function rawFrame(
  valid: fc.Arbitrary<object>,
  options: { oversized?: boolean } = {},
): fc.Arbitrary<RawFrame> {
  const kinds: fc.WeightedArbitrary<RawFrame>[] = [
    {
      weight: 3,
      arbitrary: valid.map((frame) => asText(frame, `valid ${(frame as { type: string }).type}`)),
    },
    { weight: 6, arbitrary: mutatedFrame(valid).map((frame) => asText(frame, 'mutated frame')) },
    { weight: 2, arbitrary: mangledText(valid) },
    {
      weight: 2,
      arbitrary: fc.json({ maxDepth: 3 }).map((json) => ({ data: json, binary: false, label: 'JSON' })),
    },
    { weight: 1, arbitrary: anyJson.map((value) => asText(value, 'any value')) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 256 })
        .map((bytes) => ({ data: Buffer.from(bytes), binary: false, label: 'random bytes as text' })),
    },
    { weight: 2, arbitrary: binaryFrame },
  ];
  if (options.oversized !== false) kinds.push({ weight: 1, arbitrary: oversizedFrame });
  return fc.oneof(...kinds);
}
