import { isUtf8 } from 'node:buffer';
import type { Registry } from '@outpost/connectors/registry';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { createDispatcher } from '@outpost/protocol/agent/dispatcher';
import {
  type AgentFrame,
  type GoAway,
  type Hello,
  HubFrame,
  MAX_FRAME_BYTES,
  type Welcome,
} from '@outpost/protocol/agent/frames';
import { batchThisTurn } from '@outpost/protocol/agent/write-batch';
import WebSocket from 'ws';
import { type Logger, seconds } from './log.ts';
import type { Policy } from './policy.ts';
import { ProtocolViolation, Requests } from './requests.ts';
import { AGENT_VERSION } from './version.ts';

export interface SessionOptions {
  /** `wss://…/v1/agent/connect` */
  url: string;
  token: string;
  hello: Hello;
  registry: Registry;
  policy: Policy;
  log: Logger;
  /** Until the upgrade completes. */
  handshakeTimeoutMs?: number;
  /** From the upgrade until `welcome`. */
  welcomeTimeoutMs?: number;
  /** Told of each `welcome` (auto-upgrade looks at the version it announces). */
  onWelcome?: (welcome: Welcome) => void;
}

/** How one connection ended: what the supervisor decides its next step from. */
export type SessionEnd =
  /** The hub answered the upgrade with an HTTP status instead of a socket (401, 429, 5xx…). */
  | { kind: 'refused'; status: number; retryAfterMs?: number }
  /** No socket at all: DNS, TCP, TLS or the handshake timed out. */
  | { kind: 'unreachable'; message: string }
  | {
      kind: 'closed';
      code: number;
      reason: string;
      welcome: Welcome | null;
      /** Milliseconds since `welcome`, 0 without one. */
      upMs: number;
      goAway?: GoAway;
      /** Why this side closed, when it did. */
      localReason?: string;
    };

const CLOSE_GRACE_MS = 2_000;
const HEARTBEATS_MISSED = 3;

/**
 * One WebSocket connection to the hub: the upgrade with the token, `hello` → `welcome`, the
 * heartbeat watchdog, and the frames of the work in flight. It ends once, with a `SessionEnd`.
 */
export class Session {
  readonly ended: Promise<SessionEnd>;
  readonly #socket: WebSocket;
  readonly #requests: Requests;
  readonly #log: Logger;
  #welcome: Welcome | null = null;
  #welcomedAt = 0;
  #goAway: GoAway | undefined;
  #localReason: string | undefined;
  /** The code the WebSocket layer closed with after refusing a frame (it hears no echo). */
  #refusedWith: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SessionOptions) {
    this.#log = options.log;
    const socket = new WebSocket(options.url, {
      headers: { authorization: `Bearer ${options.token}`, 'user-agent': `outpost-agent/${AGENT_VERSION}` },
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      // Checked in #dispatch instead, so that a text frame that is not UTF-8 closes with 4004.
      skipUTF8Validation: true,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      followRedirects: false,
      ...(unseenByIntermediaries(options.url) ? { generateMask: zeroMask } : {}),
    });
    this.#socket = socket;
    this.#requests = new Requests(
      { frame: (frame) => this.#send(frame), binary: (data) => this.#sendBinary(data) },
      options.registry,
      options.policy,
      options.log,
    );
    this.ended = new Promise((resolve) => {
      let refused: { status: number; retryAfterMs?: number } | undefined;
      let failure: Error | undefined;
      let opened = false;
      socket.on('unexpected-response', (_request, response) => {
        refused = { status: response.statusCode ?? 0, ...retryAfter(response.headers['retry-after']) };
        response.resume();
        socket.terminate();
      });
      socket.on('error', (error) => {
        failure = error;
        // The WebSocket layer refuses a frame it cannot take (one over MAX_FRAME_BYTES: 1009) and
        // closes the socket itself.
        const code = opened && 'code' in error ? String(error.code) : '';
        if (code.startsWith('WS_ERR_') && !this.#localReason) {
          const tooLarge = code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
          this.#refusedWith = tooLarge ? 1009 : 1002;
          this.#localReason = `protocol error: ${tooLarge ? `a frame larger than ${MAX_FRAME_BYTES} bytes` : error.message}`;
        }
      });
      socket.on('open', () => {
        opened = true;
        this.#onOpen();
      });
      socket.on('message', this.#dispatch);
      socket.on('ping', () => this.#heard());
      socket.on('pong', () => this.#heard());
      socket.on('close', (code, reason) => {
        clearTimeout(this.#timer);
        this.#requests.abandonAll();
        if (refused) resolve({ kind: 'refused', ...refused });
        else if (!opened) resolve({ kind: 'unreachable', message: describeFailure(failure) });
        else
          resolve({
            kind: 'closed',
            code: code === 1006 && this.#refusedWith ? this.#refusedWith : code,
            reason: reason.toString('utf8') || (failure && code === 1006 ? failure.message : ''),
            welcome: this.#welcome,
            upMs: this.#welcome ? Date.now() - this.#welcomedAt : 0,
            ...(this.#goAway ? { goAway: this.#goAway } : {}),
            ...(this.#localReason ? { localReason: this.#localReason } : {}),
          });
      });
    });
  }

  /**
   * Stops taking requests, lets those in flight finish for up to `graceMs`, cancels the rest, and
   * closes with 1000.
   */
  async shutdown(graceMs: number): Promise<void> {
    const socket = this.#socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState === WebSocket.CONNECTING || !this.#welcome) {
      socket.terminate();
      await this.ended;
      return;
    }
    this.#requests.stopAccepting();
    if (this.#requests.size > 0) {
      this.#log.info(
        `waiting for ${this.#requests.size} request(s) in flight to finish (up to ${seconds(graceMs)})`,
      );
      const finished = await Promise.race([this.#requests.idle(graceMs), this.ended.then(() => true)]);
      if (!finished) {
        this.#log.warn(`cancelling ${this.#requests.size} request(s) still in flight`);
        this.#requests.cancelAll();
      }
    }
    this.#close(1000, 'agent shutting down');
    await this.ended;
  }

  #onOpen(): void {
    this.#send(this.options.hello);
    const waitMs = this.options.welcomeTimeoutMs ?? 15_000;
    this.#timer = setTimeout(() => {
      this.#localReason = `no welcome from Outpost within ${seconds(waitMs)}`;
      this.#close(4007, 'no welcome in time');
    }, waitMs);
  }

  #onWelcome(welcome: Welcome): void {
    if (this.#welcome) throw new ProtocolViolation('a second welcome');
    this.#welcome = welcome;
    this.#welcomedAt = Date.now();
    clearTimeout(this.#timer);
    const silenceMs = HEARTBEATS_MISSED * welcome.heartbeatMs;
    this.#timer = setTimeout(() => {
      this.#localReason = `heard nothing from Outpost for ${seconds(silenceMs)}`;
      this.#socket.terminate();
    }, silenceMs);
    this.#log.info(`connected to ${this.options.url} as agent ${welcome.agentId}`, {
      agentId: welcome.agentId,
      sessionId: welcome.sessionId,
    });
    this.options.onWelcome?.(welcome);
  }

  /** Anything from the hub, a ping included, proves it is alive. */
  #heard(): void {
    if (this.#welcome) this.#timer?.refresh();
  }

  readonly #dispatch = (data: WebSocket.RawData, isBinary: boolean): void => {
    // Once this side has decided to close, whatever else arrives on the socket is ignored.
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#heard();
    if (!isBinary && !isUtf8(data as Buffer)) {
      this.#protocolError('a text frame that is not UTF-8');
      return;
    }
    this.#handle(data, isBinary);
  };

  readonly #handle = createDispatcher<HubFrame>({
    schema: HubFrame,
    handlers: {
      welcome: (frame) => this.#onWelcome(frame),
      request: (frame) => this.#welcomed().onRequest(frame),
      cancel: (frame) => this.#welcomed().onCancel(frame),
      credit: (frame) => this.#welcomed().onCredit(frame),
      'body.end': (frame) => this.#welcomed().onBodyEnd(frame),
      error: (frame) => this.#log.warn(`Outpost says: ${frame.message} (${frame.code})`),
      goaway: (frame) => {
        this.#goAway = frame;
        this.#log.info(`Outpost asks this agent to reconnect elsewhere: ${frame.reason}`);
      },
    },
    onChunk: (chunk) => this.#welcomed().onChunk(chunk),
    onProtocolError: (reason) => this.#protocolError(reason),
  });

  #protocolError(reason: string): void {
    this.#localReason = `protocol error: ${reason}`;
    this.#send({ type: 'error', code: 'protocol_error', message: reason.slice(0, 4000) });
    this.#close(CloseCode.PROTOCOL_ERROR, reason);
  }

  #welcomed(): Requests {
    if (!this.#welcome) throw new ProtocolViolation('work before welcome');
    return this.#requests;
  }

  #send(frame: AgentFrame): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    batchThisTurn(this.#socket);
    this.#socket.send(JSON.stringify(frame));
  }

  #sendBinary(data: Buffer): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    batchThisTurn(this.#socket);
    this.#socket.send(data, { binary: true });
  }

  #close(code: number, reason: string): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    // A close reason is at most 123 bytes.
    this.#socket.close(code, Buffer.from(reason).subarray(0, 120).toString());
    setTimeout(() => this.#socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/**
 * A client's frames are masked so that a proxy on the path cannot be fooled by bytes a third party
 * chose (here: response bodies). Over TLS, or on loopback, no proxy sees the frames: the key is
 * then zero, which `ws` skips on both sides instead of XOR-ing every body byte in JavaScript.
 */
function unseenByIntermediaries(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'wss:' || ['127.0.0.1', '[::1]', '::1', 'localhost'].includes(hostname);
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

function retryAfter(header: string | string[] | undefined): { retryAfterMs?: number } {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: Math.min(seconds, 3600) * 1000 } : {};
}

function describeFailure(error: Error | undefined): string {
  if (!error) return 'the connection closed';
  const code = 'code' in error ? String(error.code) : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  return error.message;
}
