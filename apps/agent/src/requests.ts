import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  AbortReason,
  abortError,
  ExecutorError,
  type ExecutorOutput,
  networkError,
  parseInput,
  type Target,
} from '@outpost/connectors/executor';
import type { Registry } from '@outpost/connectors/registry';
import { BinaryKind, type DecodedChunk, encodeChunk } from '@outpost/protocol/agent/binary';
import {
  type AgentFrame,
  type BodyEnd,
  type Cancel,
  type Credit,
  MAX_FRAME_BYTES,
  type OperationError,
  type Request,
} from '@outpost/protocol/agent/frames';
import type { Logger } from './log.ts';
import { type Policy, refusal } from './policy.ts';
import { BodyReceiver, CreditWindow, FlowControlError, sendBody } from './streams.ts';

/** Where frames for the hub go: the session's socket. */
export interface Outbox {
  frame(frame: AgentFrame): void;
  binary(data: Buffer): void;
}

/** A frame that breaks the protocol: the session closes with 4004. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

interface InFlight {
  controller: AbortController;
  /** The `response` frame went out: what follows is the body. */
  responded: boolean;
  upload?: BodyReceiver;
  download?: CreditWindow;
}

const SHUTTING_DOWN = new ExecutorError('cancelled', 'the agent is shutting down');
const DISCONNECTED = new ExecutorError('cancelled', 'the connection to Outpost was lost');
const FINISHED = new ExecutorError('cancelled', 'the request is over');
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The work in flight on one session: every `request` runs its executor from the registry, checked
 * against the local policy, under its deadline, many at once; bodies stream both ways with credit.
 */
export class Requests {
  readonly #inFlight = new Map<number, InFlight>();
  readonly #done = new Set<() => void>();
  #accepting = true;

  constructor(
    private readonly outbox: Outbox,
    private readonly registry: Registry,
    private readonly policy: Policy,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.#inFlight.size;
  }

  onRequest(request: Request): void {
    const { id } = request;
    if (this.#inFlight.has(id)) throw new ProtocolViolation(`request ${id} is already in flight`);
    if (!this.#accepting) {
      this.outbox.frame({
        type: 'response',
        id,
        ok: false,
        error: { code: 'unavailable', message: SHUTTING_DOWN.message },
      });
      return;
    }
    const entry: InFlight = { controller: new AbortController(), responded: false };
    if (request.op.streamsBody)
      entry.upload = new BodyReceiver((bytes) => this.outbox.frame({ type: 'credit', id, bytes }));
    this.#inFlight.set(id, entry);
    void this.#run(request, entry).finally(() => this.#finish(id, entry));
  }

  onCancel({ id }: Cancel): void {
    const entry = this.#inFlight.get(id);
    if (!entry) return;
    this.#inFlight.delete(id);
    entry.controller.abort(AbortReason.cancelled);
    entry.upload?.close();
  }

  /** Credit for a response body; credit for a request that is over is a harmless race. */
  onCredit({ id, bytes }: Credit): void {
    this.#inFlight.get(id)?.download?.grant(bytes);
  }

  onBodyEnd({ id, error }: BodyEnd): void {
    const upload = this.#inFlight.get(id)?.upload;
    upload?.end(
      error ? new ExecutorError('upstream_error', `the request body failed: ${error.message}`) : undefined,
    );
  }

  onChunk({ kind, id, chunk }: DecodedChunk): void {
    if (kind !== BinaryKind.REQUEST_BODY) throw new ProtocolViolation('the hub sent a response body chunk');
    const entry = this.#inFlight.get(id);
    if (!entry) return;
    if (!entry.upload) throw new ProtocolViolation(`request ${id} announced no body`);
    try {
      entry.upload.push(chunk);
    } catch (error) {
      if (error instanceof FlowControlError) throw new ProtocolViolation(`request ${id}: ${error.message}`);
      throw error;
    }
  }

  /** New requests are answered `unavailable` from now on. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Resolves true when nothing is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#done.delete(check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (this.#inFlight.size > 0) return;
        clearTimeout(timer);
        this.#done.delete(check);
        resolve(true);
      };
      this.#done.add(check);
    });
  }

  /** Shutting down: each request still running is answered `cancelled` and stopped. */
  cancelAll(): void {
    for (const [id, entry] of this.#inFlight) {
      this.#inFlight.delete(id);
      const error = SHUTTING_DOWN.toJSON();
      this.outbox.frame(
        entry.responded ? { type: 'body.end', id, error } : { type: 'response', id, ok: false, error },
      );
      entry.controller.abort(SHUTTING_DOWN);
    }
  }

  /** The socket is gone: stop everything; nothing can be answered any more. */
  abandonAll(): void {
    this.#accepting = false;
    for (const [id, entry] of this.#inFlight) {
      this.#inFlight.delete(id);
      entry.controller.abort(DISCONNECTED);
      entry.upload?.close();
    }
  }

  async #run(request: Request, entry: InFlight): Promise<void> {
    const { id, deadline, op } = request;
    const { signal } = entry.controller;
    const timer = setTimeout(
      () => entry.controller.abort(AbortReason.deadline),
      Math.min(LONGEST_TIMER_MS, Math.max(0, deadline - Date.now())),
    );
    let output: ExecutorOutput | undefined;
    try {
      const executor = this.registry.get(op.kind);
      if (!executor) throw new ExecutorError('unknown_operation', `this agent cannot run "${op.kind}"`);
      const input = parseInput(executor, op.input);
      for (const target of executor.targets?.(input) ?? [])
        await this.#check(target, await resolve(target.host));
      output = await executor.run(input, {
        signal,
        deadline,
        ...(entry.upload ? { requestBody: entry.upload } : {}),
        checkTarget: (target, addresses) => this.#check(target, addresses),
      });
      signal.throwIfAborted();
      const response: AgentFrame = {
        type: 'response',
        id,
        ok: true,
        result: output.result,
        streamsBody: !!output.body,
      };
      if (!this.#answer(id, entry, response)) return;
      if (output.body) await this.#stream(id, entry, output.body);
    } catch (caught) {
      const error = signal.aborted ? abortError(signal) : caught;
      if (this.#inFlight.get(id) !== entry) return;
      if (entry.responded) {
        this.#answer(id, entry, { type: 'body.end', id, error: operationError(error) });
      } else {
        if (!(error instanceof ExecutorError))
          this.log.warn(`request ${id} (${op.kind}) failed: ${describe(error)}`);
        this.#answer(id, entry, { type: 'response', id, ok: false, error: operationError(error) });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #stream(id: number, entry: InFlight, body: AsyncIterable<Uint8Array>): Promise<void> {
    entry.download = new CreditWindow();
    const { signal } = entry.controller;
    await sendBody(
      body,
      entry.download,
      (chunk) => this.outbox.binary(encodeChunk(BinaryKind.RESPONSE_BODY, id, chunk)),
      signal,
    );
    signal.throwIfAborted();
    this.#answer(id, entry, { type: 'body.end', id });
  }

  async #check(target: Target, addresses: readonly string[]): Promise<void> {
    const reason = refusal(this.policy, target, addresses);
    if (reason === null) return;
    this.log.warn(`refused ${target.host}:${target.port}: ${reason}`);
    throw new ExecutorError('policy_denied', `blocked by this agent's local policy: ${reason}`);
  }

  /** Sends a frame for `id` unless it was cancelled meanwhile; a result too large is an error. */
  #answer(id: number, entry: InFlight, frame: AgentFrame): boolean {
    if (this.#inFlight.get(id) !== entry) return false;
    if (frame.type === 'response' && frame.ok && Buffer.byteLength(JSON.stringify(frame)) > MAX_FRAME_BYTES) {
      this.outbox.frame({
        type: 'response',
        id,
        ok: false,
        error: { code: 'result_too_large', message: `the result is larger than ${MAX_FRAME_BYTES} bytes` },
      });
      return false;
    }
    this.outbox.frame(frame);
    if (frame.type === 'response') entry.responded = true;
    return true;
  }

  /** Aborting a finished request's signal releases whatever its executor still holds open. */
  #finish(id: number, entry: InFlight): void {
    entry.upload?.close();
    entry.controller.abort(FINISHED);
    if (this.#inFlight.get(id) === entry) this.#inFlight.delete(id);
    for (const check of [...this.#done]) check();
  }
}

async function resolve(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch (error) {
    throw networkError(error, `resolving ${host}`);
  }
}

function operationError(error: unknown): OperationError {
  if (error instanceof ExecutorError) return error.toJSON();
  return { code: 'internal_error', message: describe(error).slice(0, 4000) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
