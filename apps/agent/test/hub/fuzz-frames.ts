import { randomUUID } from 'node:crypto';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import type { Welcome } from '@outpost/protocol/agent/frames';
import { nastyString, type RawFrame, rawFrame, validHubFrame } from '@outpost/protocol/testing/frames';
import fc from 'fast-check';

/**
 * What the agent fuzzer (fuzz.test.ts) sends an agent, as fast-check values: the shared protocol
 * frames (valid hub frames, the same mutated, truncated, random binary, oversized; see
 * @outpost/protocol/testing/frames), plus what only the agent side has: `http` requests to a local
 * sink, body chunks of no request, a second welcome, and JSON nested a hundred thousand deep.
 */

export type { RawFrame };

export const welcomeFrame = (heartbeatMs = 60_000): Welcome => ({
  type: 'welcome',
  protocol: 1,
  agentId: randomUUID(),
  sessionId: randomUUID(),
  heartbeatMs,
  // Older than the agent: no auto-upgrade gets in the way.
  latestVersion: '0.0.1',
  autoUpgrade: false,
});

/** Every byte percent-encoded (encodeURIComponent throws on a lone surrogate). */
const percentEncoded = (text: string) =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const asText = (value: unknown, label: string): RawFrame => ({
  data: JSON.stringify(value),
  binary: false,
  label,
});

/** Frames for an agent whose `http` requests go to `sinkUrl` (a local server that answers at once). */
function agentFrames(sinkUrl: string): { harmless: fc.Arbitrary<RawFrame>; harmful: fc.Arbitrary<RawFrame> } {
  const httpRequest = fc
    .record({
      id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      deadlineMs: fc.integer({ min: -5_000, max: 30_000 }),
      method: fc.constantFrom('GET', 'POST', 'BREW'),
      path: fc.oneof(
        fc.nat({ max: 99 }).map(String),
        nastyString.map(percentEncoded).filter((p) => p.length < 2_000),
      ),
    })
    .map(({ id, deadlineMs, method, path }) =>
      asText(
        {
          type: 'request',
          id,
          deadline: Math.max(1, Date.now() + deadlineMs),
          op: { kind: 'http', input: { method, url: `${sinkUrl}/${path}` } },
        },
        'http request',
      ),
    );
  const deep = fc.tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.boolean()).map(([depth, arrays]) => ({
    data: arrays
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    binary: false,
    label: 'deep nesting',
  }));
  const harmless = fc.oneof(
    {
      weight: 6,
      arbitrary: validHubFrame
        .filter((frame) => frame.type !== 'goaway')
        .map((frame) => asText(frame, `valid ${frame.type}`)),
    },
    { weight: 2, arbitrary: httpRequest },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.uint8Array({ maxLength: 512 }))
        .map(([id, bytes]) => ({
          data: encodeChunk(BinaryKind.REQUEST_BODY, id, bytes),
          binary: true,
          label: 'chunk for no request',
        })),
    },
  );
  const harmful = fc.oneof(
    { weight: 8, arbitrary: rawFrame(validHubFrame) },
    { weight: 1, arbitrary: fc.constant(null).map(() => asText(welcomeFrame(), 'second welcome')) },
    { weight: 1, arbitrary: deep },
  );
  return { harmless, harmful };
}

/**
 * A sequence for one connection, like a session under attack: mostly frames of the protocol's
 * shapes with random values (harmless: ids of no request, unknown kinds, real requests), then
 * perhaps one of anything at all (mostly protocol errors).
 */
export function frameSequence(sinkUrl: string): fc.Arbitrary<RawFrame[]> {
  const { harmless, harmful } = agentFrames(sinkUrl);
  return fc
    .tuple(fc.array(harmless, { maxLength: 25 }), fc.option(harmful, { freq: 4, nil: undefined }))
    .map(([soft, hard]) => (hard ? [...soft, hard] : soft))
    .filter((frames) => frames.length > 0);
}
