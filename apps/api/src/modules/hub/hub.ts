import type { Database } from '@outpost/db/client';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { type Hello, type Operation, Welcome } from '@outpost/protocol/agent/frames';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { Metrics } from '../../metrics.ts';
import type { ScaleOut } from '../../scale/scale-out.ts';
import { AGENT_BUNDLE_PATH } from '../agents/bundle-route.ts';
import type { AgentEvents } from '../agents/events.ts';
import { HubError } from './errors.ts';
import { HeartbeatWheel } from './heartbeat-wheel.ts';
import { AgentPresence } from './presence.ts';
import { AgentSession, type HubResult, type RequestOptions, type SessionHooks } from './session.ts';

export interface HubOptions {
  db: Database;
  events: AgentEvents;
  log: FastifyBaseLogger;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  /** The agent the Install → Download archives carry: its version and the bundle's SHA-256. */
  latestAgent: () => Promise<{ version: string; sha256: string }>;
  /** With Redis: presence across instances and routing to the instance holding an agent. */
  scale?: Pick<ScaleOut, 'presence' | 'router'>;
  metrics?: Metrics;
}

/** Agents told to reconnect elsewhere come back at about this rate (goaway jitter). */
const DRAIN_RECONNECTS_PER_SECOND = 2_000;

export interface AuthenticatedAgent {
  id: string;
  tokenDigest: string;
}

const UpgradeOffer = Welcome.shape.upgrade.unwrap();

/**
 * The agent hub: one live session per agent, presence in the database and in live page updates,
 * and `request()` for everything that runs on an agent. A token regeneration or a deletion closes
 * the agent's session at once.
 */
export class AgentHub {
  readonly #live = new Map<string, AgentSession>();
  readonly #connecting = new Set<AgentSession>();
  readonly #unsubscribe: () => void;
  #draining = false;
  /** The token digest each session was authenticated with. */
  readonly #digests = new WeakMap<AgentSession, string>();
  /** Sessions that went live (welcome sent): each is counted once as opened and once as closed. */
  readonly #welcomed = new WeakSet<AgentSession>();
  /** Presence in the database, batched across sessions. */
  readonly #presence: AgentPresence;
  /** The last failure to record agents offline (logged once per batch). */
  #lastOfflineError: unknown;
  /** One timer pings every session, spread over the interval. */
  readonly #heartbeats: HeartbeatWheel;
  /** Shared by every session: nothing per session but the session itself. */
  readonly #hooks: SessionHooks = {
    onHello: (session, hello) => this.#onHello(session, hello, this.#digests.get(session) ?? ''),
    onClosed: (session, code, reason) => this.#onClosed(session, code, reason),
  };

  constructor(private readonly options: HubOptions) {
    this.#presence = new AgentPresence(options.db);
    this.#heartbeats = new HeartbeatWheel(options.heartbeatMs);
    this.#unsubscribe = options.events.onRevocation(({ agentId, reason }) => {
      const session = this.#live.get(agentId);
      if (reason === 'token_revoked') session?.close(CloseCode.TOKEN_REVOKED, 'token revoked');
      else session?.close(CloseCode.AGENT_DELETED, 'agent deleted');
      for (const pending of this.#connecting) {
        if (pending.agentId === agentId)
          pending.close(
            reason === 'token_revoked' ? CloseCode.TOKEN_REVOKED : CloseCode.AGENT_DELETED,
            reason.replace('_', ' '),
          );
      }
    });
  }

  /** Agents whose session here is live (welcomed). */
  get connectedAgents(): number {
    let ready = 0;
    for (const session of this.#live.values()) if (session.ready) ready += 1;
    return ready;
  }

  isOnline(agentId: string): boolean {
    return this.#live.get(agentId)?.ready ?? false;
  }

  /** Draining (SIGTERM): no new sessions, agents told to reconnect elsewhere. */
  get draining(): boolean {
    return this.#draining;
  }

  /** The agent's session here, if it takes new requests (for requests routed from another instance). */
  localSession(agentId: string): AgentSession | undefined {
    const session = this.#live.get(agentId);
    return session?.accepting ? session : undefined;
  }

  /** Agents whose sessions here answer their heartbeats: their presence in Redis is kept alive. */
  healthyAgents(): string[] {
    const agents: string[] = [];
    for (const session of this.#live.values())
      if (session.ready && session.isHealthy()) agents.push(session.agentId);
    return agents;
  }

  /** Sessions whose presence in Redis expired while they lived: they reconnect, and register afresh. */
  reconnect(agentIds: readonly string[], reason: string): void {
    for (const agentId of agentIds) this.#live.get(agentId)?.close(CloseCode.GOING_AWAY, reason);
  }

  /** Takes over a freshly upgraded socket of an agent whose token was just verified. */
  attach(socket: WebSocket, agent: AuthenticatedAgent, ipAddress: string): void {
    // @fastify/websocket's own 'error' listener holds the upgrade's request and reply (and their
    // logger) for as long as the socket lives: a few KiB per idle agent. The session handles errors.
    socket.removeAllListeners('error');
    const session = new AgentSession(socket, {
      agentId: agent.id,
      ipAddress,
      heartbeatMs: this.options.heartbeatMs,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      log: this.options.log,
      heartbeats: this.#heartbeats,
      hooks: this.#hooks,
    });
    this.#digests.set(session, agent.tokenDigest);
    this.#connecting.add(session);
    session.start();
  }

  /**
   * Closes the sessions whose token was regenerated or whose agent was deleted, by the database
   * (scale-out: after the event bus was cut off, revocations published meanwhile were missed).
   */
  async recheckTokens(): Promise<number> {
    const sessions = [...this.#live.values()];
    if (sessions.length === 0) return 0;
    const agents = await this.options.db.agent.findMany({
      where: { id: { in: sessions.map((session) => session.agentId) } },
      select: { id: true, tokenDigest: true },
    });
    const digests = new Map(agents.map((agent) => [agent.id, agent.tokenDigest]));
    let closed = 0;
    for (const session of sessions) {
      const current = digests.get(session.agentId);
      if (current === this.#digests.get(session)) continue;
      closed += 1;
      if (current === undefined) session.close(CloseCode.AGENT_DELETED, 'agent deleted');
      else session.close(CloseCode.TOKEN_REVOKED, 'token revoked');
    }
    return closed;
  }

  /**
   * Runs an operation on the agent, here or (scale-out) on the instance that holds it; rejects with
   * a HubError (agent_offline, timeout, cancelled, agent_error).
   */
  request(agentId: string, op: Operation, options: RequestOptions): Promise<HubResult> {
    const done = this.options.metrics?.requestStarted(op.kind);
    const outcome = this.#route(agentId, op, options);
    if (!done) return outcome;
    return outcome.then(
      (result) => {
        done('ok');
        return result;
      },
      (error: unknown) => {
        done(error instanceof HubError ? error.code : 'error');
        throw error;
      },
    );
  }

  #route(agentId: string, op: Operation, options: RequestOptions): Promise<HubResult> {
    const session = this.#live.get(agentId);
    if (session?.accepting) return session.request(op, options);
    if (this.options.scale)
      return this.options.scale.router.request(agentId, op, options, (id) => this.localSession(id));
    if (session?.ready) return session.request(op, options); // moving out: it says so
    return Promise.reject(new HubError('agent_offline', 'The agent is offline'));
  }

  /**
   * Drain (SIGTERM): takes no new sessions, tells every agent to reconnect elsewhere (each after a
   * jittered pause, so that they do not all arrive at once), lets each session finish its requests
   * in flight for up to `graceMs`, then closes it. Meanwhile requests for these agents, on any
   * instance, wait for them to come back.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    for (const session of this.#connecting) session.close(CloseCode.GOING_AWAY, 'instance draining');
    const sessions = [...this.#live.values()];
    const spreadMs = Math.max(250, (sessions.length / DRAIN_RECONNECTS_PER_SECOND) * 1000);
    await this.options.scale?.presence
      .markMoving(
        sessions.map((session) => session.agentId),
        graceMs + spreadMs + 30_000,
      )
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'could not mark agents as moving'));
    for (const session of sessions) session.goAway('instance draining', Math.round(Math.random() * spreadMs));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.all(
      sessions.map(async (session) => {
        await Promise.race([session.idle(), graceOver]);
        session.close(CloseCode.GOING_AWAY, 'instance draining');
      }),
    );
    clearTimeout(timer);
  }

  /** Closes every session (server shutting down): agents reconnect on their own. */
  closeAll(reason = 'server shutting down'): void {
    this.#unsubscribe();
    for (const session of [...this.#connecting, ...this.#live.values()])
      session.close(CloseCode.GOING_AWAY, reason);
  }

  async #onHello(session: AgentSession, hello: Hello, tokenDigest: string): Promise<void> {
    const { log } = this.options;
    // The token may have been regenerated, or the agent deleted, since the upgrade was accepted.
    const current = await this.#presence.atHello(session.agentId);
    if (!current) {
      session.close(CloseCode.AGENT_DELETED, 'agent deleted');
      return;
    }
    if (current.tokenDigest !== tokenDigest) {
      session.close(CloseCode.TOKEN_REVOKED, 'token revoked');
      return;
    }
    if (!this.#connecting.has(session)) return; // closed while we looked
    // From here to #live.set nothing awaits, so two sessions of one agent cannot both go live.
    const existing = this.#live.get(session.agentId);
    if (existing) {
      if (existing.isHealthy()) {
        const where = existing.hello
          ? `${existing.hello.agent.hostname} (pid ${existing.hello.agent.pid})`
          : 'another machine';
        session.close(CloseCode.DUPLICATE_SESSION, `this agent is already connected from ${where}`);
        return;
      }
      existing.close(CloseCode.REPLACED, 'replaced by a newer session');
    }
    this.#connecting.delete(session);
    this.#live.set(session.agentId, session);
    const here = `${hello.agent.hostname} (pid ${hello.agent.pid})`;
    const heldElsewhere = await this.#claim(session, here);
    if (heldElsewhere) {
      session.close(
        CloseCode.DUPLICATE_SESSION,
        `this agent is already connected from ${heldElsewhere.where}`,
      );
      return;
    }
    if (this.#live.get(session.agentId) !== session) return; // closed while we claimed
    const agent = await this.#presence.markOnline({
      agentId: session.agentId,
      sessionId: session.id,
      hello,
      ipAddress: session.ipAddress,
    });
    if (!agent) {
      session.close(CloseCode.AGENT_DELETED, 'agent deleted');
      return;
    }
    const latest = await this.options.latestAgent();
    // A manifest the agent's schema would refuse must not cost every agent its welcome.
    const upgrade = UpgradeOffer.safeParse({ ...latest, path: AGENT_BUNDLE_PATH });
    session.welcome({
      latestVersion: latest.version,
      autoUpgrade: agent.autoUpgrade,
      ...(upgrade.success ? { upgrade: upgrade.data } : {}),
    });
    log.info(
      {
        agentId: session.agentId,
        sessionId: session.id,
        host: hello.agent.hostname,
        version: hello.agent.version,
      },
      'agent connected',
    );
    this.#welcomed.add(session);
    this.options.metrics?.sessionsOpened.inc();
    this.options.scale?.presence
      .arrived(session.agentId)
      .catch((error: unknown) =>
        log.warn({ err: error, agentId: session.agentId }, 'could not end the move in Redis'),
      );
    this.options.events.publishChange({ type: 'changed', scopeId: agent.scopeId, agentId: session.agentId });
  }

  /**
   * Scale-out: makes this session the agent's presence in Redis. Null when it is; else where the
   * agent's live session is (another instance that still answers).
   */
  async #claim(session: AgentSession, here: string): Promise<{ where: string } | null> {
    const scale = this.options.scale;
    if (!scale) return null;
    const holder = await scale.presence.claim(session.agentId, session.id, here);
    if (!holder) return null;
    // A holder that died keeps its keys for up to two heartbeats: do not make the agent wait for that.
    if (await scale.router.reachable(holder.instanceId)) return holder;
    if (await scale.presence.takeOver(session.agentId, session.id, here, holder)) return null;
    return holder;
  }

  #onClosed(session: AgentSession, code: number, reason: string): void {
    this.#connecting.delete(session);
    if (this.#live.get(session.agentId) !== session) return;
    this.#live.delete(session.agentId);
    this.options.log.info(
      { agentId: session.agentId, sessionId: session.id, code, reason },
      'agent disconnected',
    );
    if (this.#welcomed.has(session)) this.options.metrics?.sessionClosed(code);
    this.options.scale?.presence
      .release(session.agentId, session.id)
      .catch((error: unknown) =>
        this.options.log.warn(
          { err: error, agentId: session.agentId },
          'could not release the presence in Redis',
        ),
      );
    this.#presence
      .markOffline(session.agentId, session.id)
      .then((changed) => {
        if (changed)
          this.options.events.publishChange({
            type: 'changed',
            scopeId: changed.scopeId,
            agentId: session.agentId,
          });
      })
      .catch((error: unknown) => {
        // A failed batch fails every agent in it with the same error: said once.
        if (error === this.#lastOfflineError) return;
        this.#lastOfflineError = error;
        this.options.log.warn({ err: error, agentId: session.agentId }, 'could not record the agent offline');
      });
  }
}
