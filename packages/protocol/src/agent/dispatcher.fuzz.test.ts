import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { type RawFrame, rawFrame, validAgentFrame, validHubFrame } from '../testing/frames.ts';
import { fuzzBudget } from '../testing/fuzz.ts';
import { decodeChunk } from './binary.ts';
import { createDispatcher } from './dispatcher.ts';
import { AgentFrame, HubFrame, MAX_FRAME_BYTES } from './frames.ts';

/**
 * The dispatcher of both sides (the hub's AgentFrame, the agent's HubFrame) under fast-check:
 * whatever a peer sends, no throw escapes, and each message has exactly one outcome: its
 * handler, a chunk, or one protocol error (never a handler for a frame the schema refuses).
 */

const budget = fuzzBudget(2_000);

function setup<F extends { type: string }>(schema: z.ZodType<F>, types: F['type'][]) {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    types.map((type) => [type, vi.fn(() => calls.push(`handler ${type}`))]),
  );
  const onChunk = vi.fn(() => calls.push('chunk'));
  const onProtocolError = vi.fn((reason: string) => calls.push(`error ${reason}`));
  const dispatch = createDispatcher({
    schema,
    handlers: handlers as never,
    onChunk,
    onProtocolError,
  });
  return { calls, handlers, onProtocolError, dispatch };
}

/** What the dispatcher must do with a message: an oracle from the schema, not from the dispatcher. */
function expected(schema: z.ZodType<{ type: string }>, frame: RawFrame): string {
  const bytes = Buffer.from(frame.data);
  if (bytes.length > MAX_FRAME_BYTES) return 'error';
  if (frame.binary) return decodeChunk(bytes) ? 'chunk' : 'error';
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'error';
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? `handler ${parsed.data.type}` : 'error';
}

const sides = [
  {
    side: 'the hub (frames from an agent)',
    schema: AgentFrame as z.ZodType<{ type: string }>,
    types: ['hello', 'response', 'credit', 'body.end', 'error'],
    valid: validAgentFrame,
  },
  {
    side: 'the agent (frames from the hub)',
    schema: HubFrame as z.ZodType<{ type: string }>,
    types: ['welcome', 'request', 'cancel', 'credit', 'body.end', 'error', 'goaway'],
    valid: validHubFrame,
  },
] as const;

describe.each(sides)('the dispatcher of $side', ({ schema, types, valid }) => {
  it(
    'gives every message exactly one outcome, the one its schema calls for, and never throws',
    () => {
      fc.assert(
        fc.property(rawFrame(valid), (frame) => {
          const { calls, dispatch } = setup(schema, [...types]);
          dispatch(Buffer.from(frame.data), frame.binary);
          expect(calls).toHaveLength(1);
          const outcome = calls[0] ?? '';
          expect(outcome.startsWith('error ') ? 'error' : outcome, frame.label).toBe(expected(schema, frame));
        }),
        budget.parameters(),
      );
    },
    budget.timeoutMs(5),
  );

  it(
    'keeps going through any sequence of messages, in any of the shapes ws hands them over',
    () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              rawFrame(valid, { oversized: false }),
              fc.constantFrom('buffer', 'arraybuffer', 'fragments'),
            ),
            { maxLength: 20 },
          ),
          (sequence) => {
            const { calls, dispatch } = setup(schema, [...types]);
            for (const [frame, shape] of sequence) {
              const bytes = Buffer.from(frame.data);
              const split = Math.floor(bytes.length / 2);
              const data =
                shape === 'buffer'
                  ? bytes
                  : shape === 'arraybuffer'
                    ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)
                    : [bytes.subarray(0, split), bytes.subarray(split)];
              dispatch(data as Buffer, frame.binary);
            }
            expect(calls).toHaveLength(sequence.length);
            sequence.forEach(([frame], index) => {
              const outcome = calls[index] ?? '';
              expect(outcome.startsWith('error ') ? 'error' : outcome).toBe(expected(schema, frame));
            });
          },
        ),
        { ...budget.parameters(), numRuns: Math.ceil(budget.runs / 10) },
      );
    },
    budget.timeoutMs(20),
  );

  it(
    'turns a handler that throws anything into one protocol error',
    () => {
      fc.assert(
        fc.property(valid, fc.anything(), (frame, thrown) => {
          const { calls, handlers, onProtocolError, dispatch } = setup(schema, [...types]);
          const handler = handlers[frame.type];
          handler?.mockImplementation(() => {
            throw thrown;
          });
          expect(() => dispatch(Buffer.from(JSON.stringify(frame)), false)).not.toThrow();
          expect(onProtocolError).toHaveBeenCalledOnce();
          expect(calls).toHaveLength(1);
        }),
        { ...budget.parameters(), numRuns: Math.ceil(budget.runs / 4) },
      );
    },
    budget.timeoutMs(5),
  );
});

describe('cases the fuzzer found', () => {
  it.each([
    ['an object type whose toString is not a function', '{"type":{"toString":0},"id":1}'],
    ['an array type holding one', '{"type":[{"toString":""}],"code":"x","message":{}}'],
  ])('reports %s as a protocol error instead of throwing', (_case, text) => {
    for (const { schema, types } of sides) {
      const { calls, onProtocolError, dispatch } = setup(schema, [...types]);
      expect(() => dispatch(Buffer.from(text), false)).not.toThrow();
      expect(onProtocolError).toHaveBeenCalledWith(expect.stringContaining('invalid "[object '));
      expect(calls).toHaveLength(1);
    }
  });

  it('reports a handler that throws an object whose toString is not a function', () => {
    const { onProtocolError, handlers, dispatch } = setup(AgentFrame as z.ZodType<{ type: string }>, [
      'credit',
    ]);
    handlers.credit?.mockImplementation(() => {
      throw { toString: false };
    });
    expect(() => dispatch(Buffer.from('{"type":"credit","id":1,"bytes":1}'), false)).not.toThrow();
    expect(onProtocolError).toHaveBeenCalledWith('frame handler failed: [object Object]');
  });
});
