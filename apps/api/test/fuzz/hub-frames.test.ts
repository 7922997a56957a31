import { isUtf8 } from 'node:buffer';
import { BinaryKind, encodeChunk } from '@outpost/protocol/agent/binary';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import type { Request } from '@outpost/protocol/agent/frames';
import { type RawFrame, rawFrame, validAgentFrame, validHello } from '@outpost/protocol/testing/frames';
import { fuzzBudget } from '@outpost/protocol/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubResult } from '../../src/modules/hub/session.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { connectLightAgent, helloFrame, type LightAgent } from '../light-agent.ts';

/**
 * The hub under fast-check: a light client with a real agent token sends generated sequences of
 * frames (valid, mutated, truncated, binary, oversized), interleaved with requests the hub sends
 * it and answers to them (results, errors, streamed bodies, credit). After each sequence the API
 * is healthy, another agent's session still answers requests, every request the hub sent has
 * settled, and no promise was rejected unhandled nor exception uncaught in this process.
 * `OUTPOST_FUZZ_RUNS` sequences (default 50).
 */

const budget = fuzzBudget(50);
/**
 * What the hub may close a fuzzed socket with: it refused a frame (4004) or the handshake (4005),
 * or the WebSocket layer did: a frame over 1 MiB (1009), a text frame that is not UTF-8 (1007).
 */
const REFUSALS: number[] = [CloseCode.PROTOCOL_ERROR, CloseCode.UPGRADE_REQUIRED, 1009, 1007];
const SETTLE_MS = 10_000;

let t: TestApp;
let owner: SignedUp;
let baseUrl: string;
let fuzzed: { id: string; token: string };
let bystander: { id: string; agent: LightAgent };
const unhandled: unknown[] = [];
let plays = 0;
const onUnhandled = (error: unknown) => unhandled.push(error);

async function newAgent(name: string): Promise<{ id: string; token: string }> {
  const as = { cookie: owner.cookie };
  const agent = (await call(t.app, 'POST', '/v1/agents', { as, body: { name } })).json();
  const token = (await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as })).json().token;
  return { id: agent.id, token };
}

/** Answers every request with `still here`: the session that must not notice the fuzzing. */
function answerPings(agent: LightAgent) {
  agent.socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(data.toString()) as { type: string; id?: number };
    if (frame.type === 'request')
      agent.send({ type: 'response', id: frame.id, ok: true, result: 'still here' });
  });
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  t = await startTestApp({ OUTPOST_AGENT_HEARTBEAT_MS: '1000' });
  owner = await signUp(t.app);
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  fuzzed = await newAgent('fuzzed');
  const healthy = await newAgent('bystander');
  const agent = await connectLightAgent(baseUrl, healthy.token);
  await agent.welcome();
  answerPings(agent);
  bystander = { id: healthy.id, agent };
});

afterAll(async () => {
  bystander?.agent.socket.close();
  await t?.close();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** One step of a sequence: a frame from the agent, a request from the hub, or an answer to it. */
type Step =
  | { kind: 'frame'; frame: RawFrame }
  | { kind: 'request'; body: number[] | null; deadlineMs: number }
  | {
      kind: 'answer';
      answer: 'result' | 'error' | 'stream' | 'chunk' | 'end' | 'credit';
      size: number;
      bogus: unknown;
    };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: rawFrame(validAgentFrame).map((frame) => ({ kind: 'frame' as const, frame })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      body: fc.option(fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 4 }), {
        nil: null,
      }),
      deadlineMs: fc.integer({ min: 50, max: 1_500 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      answer: fc.constantFrom('result', 'error', 'stream', 'chunk', 'end', 'credit'),
      size: fc.integer({ min: 0, max: 2 * 1024 * 1024 }),
      bogus: fc.jsonValue({ maxDepth: 2 }),
    }),
  },
);

const sequence = fc.record({
  hello: fc.oneof(
    { weight: 4, arbitrary: validHello.map((hello) => ({ ...hello, protocol: 1 })) },
    fc.constant(null),
  ),
  steps: fc.array(step, { minLength: 1, maxLength: 15 }),
});

async function* chunks(sizes: number[]): AsyncIterable<Uint8Array> {
  for (const size of sizes) yield Buffer.alloc(size, 1);
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what}: no outcome within ${SETTLE_MS} ms (a hang)`)),
        SETTLE_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Plays one sequence against the hub; returns how the socket ended. */
async function play(input: { hello: unknown; steps: Step[] }): Promise<void> {
  // The hub limits connection attempts per token and per address: a new token and another
  // loopback address for each sequence keep the fuzzer under both.
  plays += 1;
  const as = { cookie: owner.cookie };
  fuzzed.token = (await call(t.app, 'POST', `/v1/agents/${fuzzed.id}/token`, { as })).json().token;
  const agent = await connectLightAgent(baseUrl, fuzzed.token, {
    hello: input.hello ? (input.hello as never) : null,
    localAddress: `127.0.${1 + (Math.floor(plays / 250) % 250)}.${1 + (plays % 250)}`,
  });
  const requests: Promise<unknown>[] = [];
  let closedBy: { code: number; reason: string } | undefined;
  /** A frame the WebSocket layer refuses (1009, 1007), which the sender may see as its socket cut (1006). */
  let cutByWebSocket = false;
  void agent.closed.then((closed) => {
    closedBy = closed;
  });
  const open = () => agent.socket.readyState === agent.socket.OPEN;
  const lastRequest = () =>
    [...agent.frames].reverse().find((frame): frame is Request => frame.type === 'request');
  for (const next of input.steps) {
    if (!open()) break;
    if (next.kind === 'frame') {
      const { data, binary, label } = next.frame;
      cutByWebSocket ||= label === 'oversized' || (!binary && !isUtf8(Buffer.from(data)));
      agent.socket.send(next.frame.data, { binary: next.frame.binary });
    } else if (next.kind === 'request') {
      const outcome = t.app.hub
        .request(
          fuzzed.id,
          { kind: 'ping', input: {} },
          { deadline: Date.now() + next.deadlineMs, ...(next.body ? { body: chunks(next.body) } : {}) },
        )
        .then(async (result: HubResult) => {
          // A caller reads what streams, or gives it up.
          if (result.body) for await (const _ of result.body);
        });
      requests.push(outcome.catch(() => undefined));
    } else {
      const request = lastRequest();
      if (!request) continue;
      const id = request.id;
      const send = {
        result: () => agent.send({ type: 'response', id, ok: true, result: next.bogus }),
        error: () =>
          agent.send({ type: 'response', id, ok: false, error: { code: 'x', message: String(next.bogus) } }),
        stream: () => agent.send({ type: 'response', id, ok: true, result: next.bogus, streamsBody: true }),
        chunk: () =>
          agent.socket.send(
            encodeChunk(BinaryKind.RESPONSE_BODY, id, Buffer.alloc(Math.min(next.size, 1024 * 1024 - 5))),
          ),
        end: () => agent.send({ type: 'body.end', id }),
        credit: () => agent.send({ type: 'credit', id, bytes: Math.max(1, next.size) }),
      };
      send[next.answer]();
    }
    // Let the hub read each step before the next, as a real peer's frames would arrive.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Every request the hub sent settles (answered, failed, timed out or cut with the socket).
  if (open()) agent.socket.close(1000, 'sequence over');
  const closed = await withDeadline(agent.closed, 'the fuzzed socket closing');
  await withDeadline(Promise.all(requests), 'a request the hub sent to the fuzzed agent');
  if (closedBy && closedBy.code !== 1000 && closedBy.code !== 1005) {
    const refusals = cutByWebSocket ? [...REFUSALS, 1006] : REFUSALS;
    expect(refusals, `closed with ${closed.code} ${closed.reason}`).toContain(closedBy.code);
  }
  // The hub lets go of the session before the next sequence connects (no duplicate session).
  await expect.poll(() => t.app.hub.isOnline(fuzzed.id), { timeout: SETTLE_MS }).toBe(false);
}

describe('the hub under a protocol fuzzer', () => {
  it(
    'stays healthy through any sequence of frames: other sessions answer, nothing hangs or goes unhandled',
    async () => {
      let sequences = 0;
      await fc.assert(
        fc.asyncProperty(sequence, async (input) => {
          sequences += 1;
          await play(input);
          expect(unhandled).toEqual([]);
          const { result } = await withDeadline(
            t.app.hub.request(bystander.id, { kind: 'ping', input: {} }, { deadline: Date.now() + 5_000 }),
            'the bystander agent',
          );
          expect(result).toBe('still here');
          const health = await t.app.inject({ method: 'GET', url: '/healthz' });
          expect(health.statusCode).toBe(200);
        }),
        budget.parameters(),
      );
      // The fuzzed agent can still connect and work afterwards.
      const clean = await connectLightAgent(baseUrl, fuzzed.token);
      await clean.welcome();
      answerPings(clean);
      const { result } = await t.app.hub.request(
        fuzzed.id,
        { kind: 'ping', input: {} },
        { deadline: Date.now() + 5_000 },
      );
      expect(result).toBe('still here');
      clean.socket.close();
      await clean.closed;
      expect(unhandled).toEqual([]);
      console.info(`hub fuzz (seed ${budget.seed}): ${sequences} sequences`);
    },
    budget.timeoutMs(3_000, 60_000),
  );
});

describe('cases the fuzzer found', () => {
  it('refuses a hello with a NUL in its texts as a protocol error (PostgreSQL cannot store it), not a handshake to retry', async () => {
    plays += 1;
    const as = { cookie: owner.cookie };
    fuzzed.token = (await call(t.app, 'POST', `/v1/agents/${fuzzed.id}/token`, { as })).json().token;
    const agent = await connectLightAgent(baseUrl, fuzzed.token, {
      hello: helloFrame({ hostname: 'vm\u00001' }),
      localAddress: `127.0.0.${1 + (plays % 250)}`,
    });
    const closed = await agent.closed;
    expect(closed.code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(closed.reason).toContain('no NUL characters');
    await expect.poll(() => t.app.hub.isOnline(fuzzed.id)).toBe(false);
  });
});
