import type { Database } from '@outpost/db/client';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { type Hello, type Operation, Welcome } from '@outpost/protocol/agent/frames';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { AGENT_BUNDLE_PATH } from '../agents/bundle-route.ts';
import type { AgentEvents } from '../agents/events.ts';
import { HubError } from './errors.ts';
import { markAgentOffline, markAgentOnline } from './presence.ts';
import { AgentSession, type HubResult, type RequestOptions } from './session.ts';

export interface HubOptions {
  db: Database;
  events: AgentEvents;
  log: FastifyBaseLogger;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  /** The agent the Install → Download archives carry: its version and the bundle's SHA-256. */
  latestAgent: () => Promise<{ version: string; sha256: string }>;
}

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

  constructor(private readonly options: HubOptions) {
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

  get connectedAgents(): number {
    return this.#live.size;
  }

  isOnline(agentId: string): boolean {
    return this.#live.get(agentId)?.ready ?? false;
  }

  /** Takes over a freshly upgraded socket of an agent whose token was just verified. */
  attach(socket: WebSocket, agent: AuthenticatedAgent, ipAddress: string): void {
    const session = new AgentSession(socket, {
      agentId: agent.id,
      ipAddress,
      heartbeatMs: this.options.heartbeatMs,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      log: this.options.log,
      hooks: {
        onHello: (current, hello) => this.#onHello(current, hello, agent.tokenDigest),
        onClosed: (current, code, reason) => this.#onClosed(current, code, reason),
      },
    });
    this.#connecting.add(session);
    session.start();
  }

  /** Runs an operation on the agent; rejects with a HubError (agent_offline, timeout, cancelled, agent_error). */
  request(agentId: string, op: Operation, options: RequestOptions): Promise<HubResult> {
    const session = this.#live.get(agentId);
    if (!session?.ready) return Promise.reject(new HubError('agent_offline', 'The agent is offline'));
    return session.request(op, options);
  }

  /** Closes every session (server shutting down): agents reconnect on their own. */
  closeAll(reason = 'server shutting down'): void {
    this.#unsubscribe();
    for (const session of [...this.#connecting, ...this.#live.values()])
      session.close(CloseCode.GOING_AWAY, reason);
  }

  async #onHello(session: AgentSession, hello: Hello, tokenDigest: string): Promise<void> {
    const { db, log } = this.options;
    // The token may have been regenerated, or the agent deleted, since the upgrade was accepted.
    const current = await db.agent.findUnique({
      where: { id: session.agentId },
      select: { tokenDigest: true },
    });
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
    const agent = await markAgentOnline(db, session.agentId, session.id, hello, session.ipAddress);
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
    this.options.events.publishChange({ type: 'changed', scopeId: agent.scopeId, agentId: session.agentId });
  }

  #onClosed(session: AgentSession, code: number, reason: string): void {
    this.#connecting.delete(session);
    if (this.#live.get(session.agentId) !== session) return;
    this.#live.delete(session.agentId);
    this.options.log.info(
      { agentId: session.agentId, sessionId: session.id, code, reason },
      'agent disconnected',
    );
    markAgentOffline(this.options.db, session.agentId, session.id)
      .then(async (changed) => {
        if (!changed) return;
        const agent = await this.options.db.agent.findUnique({
          where: { id: session.agentId },
          select: { scopeId: true },
        });
        if (agent)
          this.options.events.publishChange({
            type: 'changed',
            scopeId: agent.scopeId,
            agentId: session.agentId,
          });
      })
      .catch((error: unknown) =>
        this.options.log.warn({ err: error, agentId: session.agentId }, 'could not record the agent offline'),
      );
  }
}
