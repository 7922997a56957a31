import { BinaryKind } from '@outpost/protocol/agent/binary';
import { createDispatcher } from '@outpost/protocol/agent/dispatcher';
import { MAX_FRAME_BYTES, type Operation } from '@outpost/protocol/agent/frames';
import { batchThisTurn } from '@outpost/protocol/agent/write-batch';
import type { FastifyBaseLogger } from 'fastify';
import WebSocket from 'ws';
import { IncomingBody, OutgoingBody } from '../modules/hub/bodies.ts';
import { AgentNotHere, HubError } from '../modules/hub/errors.ts';
import type { HubResult, RequestOptions } from '../modules/hub/session.ts';
import { fromLinkError } from './link-errors.ts';
import {
  type CallerFrame,
  HolderFrame,
  LINK_PATH,
  LINK_PROTOCOL_ERROR,
  type LinkBodyEnd,
  type LinkResponse,
} from './link-frames.ts';

export interface PeerLinkOptions {
  /** The holder's internal URL (http://host:port). */
  url: string;
  /** The link secret every instance derives from OUTPOST_SECRET_KEY. */
  token: string;
  fromInstanceId: string;
  log: FastifyBaseLogger;
  /** How often to ping the holder; a holder silent for two intervals is cut. */
  heartbeatMs: number;
  onClosed(link: PeerLink): void;
}

interface Pending {
  resolve(result: HubResult): void;
  reject(error: HubError): void;
  body?: IncomingBody;
  outgoing?: OutgoingBody;
  fail(error: HubError): void;
  settle(): void;
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The caller's end of the link to one other instance: one WebSocket, many requests in flight, the
 * same flow control as between hub and agent. A request that could not be sent fails as not
 * delivered (the caller looks again); if the link breaks, the requests in flight fail with
 * `agent_offline` (the instance holding the agent went away).
 */
export class PeerLink {
  readonly #socket: WebSocket;
  readonly #opened: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  /** The holder is shutting down: no new requests; closes once those in flight are answered. */
  #closing = false;
  #heardAt = Date.now();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(private readonly options: PeerLinkOptions) {
    const socket = new WebSocket(`${options.url.replace(/^http/, 'ws')}${LINK_PATH}`, {
      headers: { authorization: `Bearer ${options.token}`, 'x-outpost-instance': options.fromInstanceId },
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      followRedirects: false,
    });
    this.#socket = socket;
    this.#opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      // Nothing was sent: the caller may look for the agent again (the instance may be draining).
      socket.once('close', () => reject(new AgentNotHere('The instance holding the agent is unreachable')));
    });
    this.#opened.catch(() => undefined);
    const dispatch = createDispatcher<HolderFrame>({
      schema: HolderFrame,
      handlers: {
        response: (frame) => this.#onResponse(frame),
        credit: ({ id, bytes }) => this.#pending.get(id)?.outgoing?.addCredit(bytes),
        'body.end': (frame) => this.#onBodyEnd(frame),
        goaway: () => {
          this.#closing = true;
          this.#closeIfIdle();
        },
      },
      onChunk: ({ kind, id, chunk }) => {
        if (kind !== BinaryKind.RESPONSE_BODY)
          return this.#protocolError('holders send only response bodies');
        const pending = this.#pending.get(id);
        if (!pending) return;
        if (!pending.body) return this.#protocolError(`body chunk before the response of request ${id}`);
        if (!pending.body.receive(chunk)) this.#protocolError(`request ${id} sent beyond its credit`);
      },
      onProtocolError: (reason) => this.#protocolError(reason),
    });
    socket.on('message', (data, isBinary) => {
      this.#heardAt = Date.now();
      if (!this.#closed) dispatch(data as Buffer, isBinary);
    });
    socket.on('pong', () => {
      this.#heardAt = Date.now();
    });
    socket.on('error', (error) => options.log.info({ err: error, url: options.url }, 'instance link error'));
    socket.on('close', () => this.#onClose());
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#heardAt > 2 * options.heartbeatMs) socket.terminate();
      else if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Closed, or closing: a new request needs a new link. */
  get closed(): boolean {
    return this.#closed || this.#closing;
  }

  /** Whether the link opened (false: the instance refused it or could not be reached). */
  opened(): Promise<boolean> {
    return this.#opened.then(
      () => !this.#closed,
      () => false,
    );
  }

  /** Runs `op` on the agent the holder has; the same contract as `AgentSession.request`. */
  async request(agentId: string, op: Operation, options: RequestOptions): Promise<HubResult> {
    await this.#opened;
    if (this.#closed || this.#closing) throw new AgentNotHere('The instance holding the agent went away');
    if (options.signal?.aborted) throw new HubError('cancelled', 'The request was cancelled');
    const frame: CallerFrame = {
      type: 'request',
      id: this.#nextId,
      agentId,
      deadline: options.deadline,
      op: { ...op, ...(options.body ? { streamsBody: true } : {}) },
    };
    const text = JSON.stringify(frame);
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES)
      throw new HubError('agent_error', 'The operation is too large to send to the agent', 'too_large');
    const id = frame.id;
    this.#nextId = id >= 2 ** 32 - 1 ? 1 : id + 1;
    return new Promise<HubResult>((resolve, reject) => {
      const streamAbort = new AbortController();
      const onAbort = () => pending.fail(new HubError('cancelled', 'The request was cancelled'));
      // The holder enforces the deadline; this one covers a holder that stops answering.
      const timer = setTimeout(
        () => pending.fail(new HubError('timeout', 'The agent did not answer in time')),
        Math.max(0, options.deadline - Date.now()) + 1_000,
      );
      const pending: Pending = {
        resolve,
        reject,
        settle: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          streamAbort.abort();
          this.#pending.delete(id);
          this.#closeIfIdle();
        },
        fail: (error) => {
          if (this.#pending.get(id) !== pending) return;
          pending.settle();
          if (!this.#closed) this.#send({ type: 'cancel', id });
          if (pending.body) pending.body.destroy(error);
          else reject(error);
        },
      };
      this.#pending.set(id, pending);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#socket.send(text);
      if (options.body) {
        const outgoing = new OutgoingBody(id, (chunk) => this.#sendBinary(chunk));
        pending.outgoing = outgoing;
        outgoing
          .pump(options.body, streamAbort.signal)
          .then(() => this.#pending.has(id) && this.#send({ type: 'body.end', id }))
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            if (this.#pending.has(id))
              this.#send({ type: 'body.end', id, error: { code: 'agent_error', message } });
          });
      }
    });
  }

  close(): void {
    this.#socket.close(1001, 'instance shutting down');
    this.#onClose();
  }

  #closeIfIdle(): void {
    if (this.#closing && this.#pending.size === 0 && !this.#closed) {
      this.#socket.close(1000, 'done');
      this.#onClose();
    }
  }

  #onResponse(frame: LinkResponse): void {
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    if (pending.body) {
      this.#protocolError(`second response for request ${frame.id}`);
      return;
    }
    if (!frame.ok) {
      pending.settle();
      pending.reject(fromLinkError(frame.error));
      return;
    }
    if (!frame.streamsBody) {
      pending.settle();
      pending.resolve({ result: frame.result });
      return;
    }
    const body = new IncomingBody(
      (bytes) =>
        this.#pending.get(frame.id) === pending && this.#send({ type: 'credit', id: frame.id, bytes }),
    );
    body.once('close', () => {
      if (this.#pending.get(frame.id) === pending)
        pending.fail(new HubError('cancelled', 'The body was abandoned'));
    });
    pending.body = body;
    pending.resolve({ result: frame.result, body });
  }

  #onBodyEnd(frame: LinkBodyEnd): void {
    const pending = this.#pending.get(frame.id);
    if (!pending?.body) return;
    const body = pending.body;
    pending.settle();
    body.finish(frame.error ? fromLinkError(frame.error) : undefined);
  }

  #protocolError(reason: string): void {
    if (this.#closed) return;
    this.options.log.warn(
      { reason, url: this.options.url },
      'protocol error on an instance link; closing it',
    );
    this.#socket.close(LINK_PROTOCOL_ERROR, `protocol error: ${reason}`.slice(0, 120));
    this.#onClose();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    setTimeout(() => this.#socket.terminate(), 2_000).unref();
    const gone = new HubError('agent_offline', 'The instance holding the agent went away');
    for (const pending of [...this.#pending.values()]) pending.fail(gone);
    this.options.onClosed(this);
  }

  #send(frame: CallerFrame): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    batchThisTurn(this.#socket);
    this.#socket.send(JSON.stringify(frame));
  }

  #sendBinary(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#socket.readyState !== WebSocket.OPEN)
        return reject(new HubError('agent_offline', 'The instance holding the agent went away'));
      batchThisTurn(this.#socket);
      this.#socket.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve()));
    });
  }
}
