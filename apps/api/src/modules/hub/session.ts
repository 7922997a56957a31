import { randomUUID } from 'node:crypto';
import { BinaryKind } from '@outpost/protocol/agent/binary';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { createDispatcher } from '@outpost/protocol/agent/dispatcher';
import {
  AgentFrame,
  type Hello,
  type HubFrame,
  MIN_PROTOCOL_VERSION,
  type Operation,
  PROTOCOL_VERSION,
  type Response,
  type Welcome,
} from '@outpost/protocol/agent/frames';
import { batchThisTurn } from '@outpost/protocol/agent/write-batch';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { IncomingBody, OutgoingBody } from './bodies.ts';
import { AgentNotHere, HubError } from './errors.ts';
import type { HeartbeatWheel } from './heartbeat-wheel.ts';

export interface RequestOptions {
  /** Epoch milliseconds by which the agent must have answered (and finished any body). */
  deadline: number;
  signal?: AbortSignal;
  /** A request body to stream to the agent. */
  body?: AsyncIterable<Uint8Array>;
}

export interface HubResult {
  result: unknown;
  /** The response body, when the executor streams one; read it or destroy it. */
  body?: IncomingBody;
}

interface Pending {
  resolve(result: HubResult): void;
  reject(error: HubError): void;
  /** Set once the response head arrived and a body is streaming. */
  body?: IncomingBody;
  outgoing?: OutgoingBody;
  settle(): void;
  fail(error: HubError): void;
}

export interface SessionHooks {
  /** The agent said hello: the hub decides whether this session goes live. */
  onHello(session: AgentSession, hello: Hello): Promise<void>;
  onClosed(session: AgentSession, code: number, reason: string): void;
}

export interface SessionOptions {
  agentId: string;
  ipAddress: string;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  log: FastifyBaseLogger;
  /** Pings this session once per `heartbeatMs` (one timer for all sessions). */
  heartbeats: HeartbeatWheel;
  hooks: SessionHooks;
}

/**
 * One connected agent: handshake, heartbeats, requests in flight and their bodies. Every frame
 * goes through the protocol dispatcher; anything it refuses closes this socket only.
 */
export class AgentSession {
  readonly id = randomUUID();
  readonly agentId: string;
  readonly ipAddress: string;
  hello: Hello | undefined;
  #state: 'handshake' | 'ready' | 'closed' = 'handshake';
  /** Told to reconnect elsewhere (drain): takes no new requests, finishes those in flight. */
  #movingOut = false;
  readonly #idleWaiters: (() => void)[] = [];
  #nextRequestId = 1;
  readonly #pending = new Map<number, Pending>();
  #lastHeardAt = Date.now();
  /** Until `hello` arrives. */
  #handshakeTimer: NodeJS.Timeout | undefined;
  /** Made on first use: an idle session logs nothing. */
  #logger: FastifyBaseLogger | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: SessionOptions,
  ) {
    this.agentId = options.agentId;
    this.ipAddress = options.ipAddress;
  }

  get #log(): FastifyBaseLogger {
    this.#logger ??= this.options.log.child({ agentId: this.agentId, sessionId: this.id });
    return this.#logger;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** Ready and not moving out: new requests may go here. */
  get accepting(): boolean {
    return this.#state === 'ready' && !this.#movingOut;
  }

  /** Requests in flight, their bodies included. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Resolves once nothing is in flight (at once when nothing is). */
  idle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Drain: tells the agent to reconnect elsewhere after `reconnectAfterMs` once this socket closes,
   * and takes no new requests from now on.
   */
  goAway(reason: string, reconnectAfterMs: number): void {
    if (this.#state === 'closed') return;
    this.#movingOut = true;
    this.#send({ type: 'goaway', reason, reconnectAfterMs });
  }

  /** Heard from within two heartbeat intervals. */
  isHealthy(): boolean {
    return this.#state !== 'closed' && Date.now() - this.#lastHeardAt <= 2 * this.options.heartbeatMs;
  }

  start(): void {
    const dispatch = createDispatcher({
      schema: AgentFrame,
      handlers: {
        hello: (frame) => this.#onHello(frame),
        response: (frame) => this.#onResponse(frame),
        credit: (frame) => this.#pendingFor(frame.id)?.outgoing?.addCredit(frame.bytes),
        'body.end': (frame) => this.#onBodyEnd(frame.id, frame.error?.message),
        error: (frame) => this.#log.warn({ code: frame.code }, `agent reported: ${frame.message}`),
      },
      onChunk: ({ kind, id, chunk }) => {
        if (kind !== BinaryKind.RESPONSE_BODY) {
          this.#protocolError('agents send only response bodies');
          return;
        }
        const pending = this.#pendingFor(id);
        if (pending && !pending.body) {
          this.#protocolError(`body chunk before the response of request ${id}`);
          return;
        }
        if (pending?.body && !pending.body.receive(chunk))
          this.#protocolError(`request ${id} sent beyond its credit`);
      },
      onProtocolError: (reason) => this.#protocolError(reason),
    });
    this.socket.on('message', (data, isBinary) => {
      this.#lastHeardAt = Date.now();
      dispatch(data as Buffer, isBinary);
    });
    this.socket.on('pong', () => {
      this.#lastHeardAt = Date.now();
    });
    this.socket.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    this.socket.on('error', (error) => this.#log.info({ err: error }, 'agent socket error'));
    // Only the agent's hello is timed: the hub's own checks after it may take longer under load.
    this.#handshakeTimer = setTimeout(() => {
      if (this.#state === 'handshake' && !this.hello)
        this.close(CloseCode.TIMEOUT, 'no hello within the handshake timeout');
    }, this.options.handshakeTimeoutMs);
    this.options.heartbeats.add(this);
  }

  /** Goes live: sends `welcome`. */
  welcome(frame: Omit<Welcome, 'type' | 'protocol' | 'sessionId' | 'agentId' | 'heartbeatMs'>): void {
    if (this.#state !== 'handshake') return;
    this.#state = 'ready';
    this.#send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      agentId: this.agentId,
      sessionId: this.id,
      heartbeatMs: this.options.heartbeatMs,
      ...frame,
    });
  }

  /** Sends an operation to the agent; many may be in flight at once. */
  request(op: Operation, options: RequestOptions): Promise<HubResult> {
    if (this.#state !== 'ready')
      return Promise.reject(new HubError('agent_offline', 'The agent is not connected'));
    if (this.#movingOut) return Promise.reject(new AgentNotHere('The agent is moving to another instance'));
    if (options.signal?.aborted)
      return Promise.reject(new HubError('cancelled', 'The request was cancelled'));
    const id = this.#nextRequestId;
    this.#nextRequestId = id >= 2 ** 32 - 1 ? 1 : id + 1;
    return new Promise<HubResult>((resolve, reject) => {
      const streamAbort = new AbortController();
      const onAbort = () => pending.fail(new HubError('cancelled', 'The request was cancelled'));
      const timer = setTimeout(
        () => pending.fail(new HubError('timeout', 'The agent did not answer in time')),
        Math.max(0, options.deadline - Date.now()),
      );
      const pending: Pending = {
        resolve,
        reject,
        settle: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          streamAbort.abort();
          this.#pending.delete(id);
          if (this.#pending.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
        },
        fail: (error) => {
          if (!this.#pending.has(id)) return;
          pending.settle();
          if (error.code !== 'agent_offline' && this.#state === 'ready') this.#send({ type: 'cancel', id });
          if (pending.body) pending.body.destroy(error);
          else reject(error);
        },
      };
      this.#pending.set(id, pending);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#send({
        type: 'request',
        id,
        deadline: options.deadline,
        op: { ...op, ...(options.body ? { streamsBody: true } : {}) },
      });
      if (options.body) {
        const outgoing = new OutgoingBody(id, (frame) => this.#sendBinary(frame));
        pending.outgoing = outgoing;
        outgoing
          .pump(options.body, streamAbort.signal)
          .then(() => this.#pending.has(id) && this.#send({ type: 'body.end', id }))
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            if (this.#pending.has(id))
              this.#send({ type: 'body.end', id, error: { code: 'body_failed', message } });
          });
      }
    });
  }

  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    // A close reason is at most 123 bytes.
    this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
    this.#onClose(code, reason);
  }

  #onHello(hello: Hello): void {
    if (this.#state !== 'handshake' || this.hello) {
      this.#protocolError('hello after the handshake');
      return;
    }
    if (hello.protocol < MIN_PROTOCOL_VERSION) {
      this.#send({
        type: 'error',
        code: 'upgrade_required',
        message: `Protocol ${hello.protocol} is no longer supported; upgrade the agent`,
      });
      this.close(CloseCode.UPGRADE_REQUIRED, 'upgrade required');
      return;
    }
    if (hello.protocol > PROTOCOL_VERSION) {
      this.close(CloseCode.PROTOCOL_ERROR, `protocol ${hello.protocol} is newer than this hub's`);
      return;
    }
    this.hello = hello;
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    this.options.hooks.onHello(this, hello).catch((error: unknown) => {
      this.#log.error({ err: error }, 'agent handshake failed');
      this.close(CloseCode.GOING_AWAY, 'handshake failed; try again');
    });
  }

  #onResponse(frame: Response): void {
    if (this.#state !== 'ready') {
      this.#protocolError('response before welcome');
      return;
    }
    const pending = this.#pendingFor(frame.id);
    if (!pending) return;
    if (pending.body) {
      this.#protocolError(`second response for request ${frame.id}`);
      return;
    }
    if (!frame.ok) {
      pending.settle();
      pending.reject(new HubError('agent_error', frame.error.message, frame.error.code));
      return;
    }
    if (!frame.streamsBody) {
      pending.settle();
      pending.resolve({ result: frame.result });
      return;
    }
    const body = new IncomingBody(
      (bytes) => this.#pending.has(frame.id) && this.#send({ type: 'credit', id: frame.id, bytes }),
    );
    body.once('close', () => {
      // The consumer gave up before the end: the agent can stop sending.
      if (this.#pending.get(frame.id) === pending)
        pending.fail(new HubError('cancelled', 'The body was abandoned'));
    });
    pending.body = body;
    pending.resolve({ result: frame.result, body });
  }

  #onBodyEnd(id: number, error: string | undefined): void {
    const pending = this.#pendingFor(id);
    if (!pending?.body) return;
    const body = pending.body;
    pending.settle();
    body.finish(error ? new HubError('agent_error', error) : undefined);
  }

  /** The request in flight with this id; undefined for a late frame of a finished one. */
  #pendingFor(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending && id >= this.#nextRequestId)
      this.#protocolError(`frame for request ${id}, which was never sent`);
    return pending;
  }

  /** Called by the heartbeat wheel once per interval: ping, or close a session that went silent. */
  heartbeat(): void {
    if (this.#state === 'closed') return;
    if (!this.isHealthy()) {
      this.#log.info('agent missed its heartbeats; closing');
      this.socket.terminate();
      this.#onClose(CloseCode.TIMEOUT, 'heartbeats missed');
      return;
    }
    this.socket.ping();
  }

  #protocolError(reason: string): void {
    if (this.#state === 'closed') return;
    this.#log.warn({ reason }, 'protocol error from agent; closing its socket');
    this.#send({ type: 'error', code: 'protocol_error', message: reason });
    this.close(CloseCode.PROTOCOL_ERROR, `protocol error: ${reason}`);
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#handshakeTimer);
    this.options.heartbeats.delete(this);
    // A peer that never answers the close handshake is cut after a grace period.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
    const offline = new HubError('agent_offline', 'The agent disconnected');
    for (const pending of [...this.#pending.values()]) pending.fail(offline);
    this.options.hooks.onClosed(this, code, reason);
  }

  #send(frame: HubFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    batchThisTurn(this.socket);
    this.socket.send(JSON.stringify(frame));
  }

  #sendBinary(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== this.socket.OPEN)
        return reject(new HubError('agent_offline', 'The agent disconnected'));
      batchThisTurn(this.socket);
      this.socket.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve()));
    });
  }
}
