import type { Operation } from '@outpost/protocol/agent/frames';
import type { FastifyBaseLogger } from 'fastify';
import { AgentNotHere, HubError } from '../modules/hub/errors.ts';
import type { AgentSession, HubResult, RequestOptions } from '../modules/hub/session.ts';
import { PeerLink } from './peer-link.ts';
import type { RedisPresence } from './presence.ts';

export interface RouterOptions {
  instanceId: string;
  presence: RedisPresence;
  linkToken: string;
  heartbeatMs: number;
  log: FastifyBaseLogger;
  /** Counts a request sent to another instance. */
  onRouted?: () => void;
}

/** How often a request for an agent that is moving between instances looks for it again. */
const MOVING_POLL_MS = 50;

/**
 * Requests for agents held by another instance: finds the holder in Redis and sends the request
 * over the link to it. A request for an agent that a draining instance is handing over waits for
 * it to reconnect (until its deadline), so that a drain fails no request.
 */
export class Router {
  readonly #links = new Map<string, PeerLink>();
  /**
   * Where each agent was last found: tried first, without asking Redis. A wrong entry costs one
   * "not here" answer (the holder knows), after which Redis is asked again.
   */
  readonly #lastSeen = new Map<string, { instanceId: string; url: string }>();

  constructor(private readonly options: RouterOptions) {}

  /**
   * `localSession` finds the agent's session on this instance, for an agent that arrives here while
   * the request waits for it.
   */
  async request(
    agentId: string,
    op: Operation,
    options: RequestOptions,
    localSession: (agentId: string) => AgentSession | undefined,
  ): Promise<HubResult> {
    const { presence, instanceId } = this.options;
    let routed = false;
    const count = () => {
      if (!routed) this.options.onRouted?.();
      routed = true;
    };
    const known = this.#lastSeen.get(agentId);
    if (known) {
      try {
        count();
        return await this.#link(known.instanceId, known.url).request(agentId, op, options);
      } catch (error) {
        if (!(error instanceof AgentNotHere)) throw error;
        this.#lastSeen.delete(agentId);
      }
    }
    let lookedAgain = false;
    for (;;) {
      if (options.signal?.aborted) throw new HubError('cancelled', 'The request was cancelled');
      const location = await presence.locate(agentId).catch(() => {
        throw new HubError('agent_offline', 'The agent cannot be located: Redis is unreachable');
      });
      const { holder, url } = location;
      let notThere = false;
      const here = holder?.instanceId === instanceId ? localSession(agentId) : undefined;
      try {
        if (here) return await here.request(op, options);
        if (holder && url && holder.instanceId !== instanceId) {
          count();
          if (this.#lastSeen.size >= 100_000) this.#lastSeen.clear();
          this.#lastSeen.set(agentId, { instanceId: holder.instanceId, url });
          return await this.#link(holder.instanceId, url).request(agentId, op, options);
        }
      } catch (error) {
        if (!(error instanceof AgentNotHere)) throw error;
        this.#lastSeen.delete(agentId);
        notThere = true;
      }
      if (!location.moving) {
        // The holder said it no longer has the agent: it may have just moved; look once more.
        if (!notThere || lookedAgain) throw new HubError('agent_offline', 'The agent is offline');
        lookedAgain = true;
        continue;
      }
      if (Date.now() + MOVING_POLL_MS >= options.deadline)
        throw new HubError('agent_offline', 'The agent did not reconnect before the deadline');
      await sleep(MOVING_POLL_MS, options.signal);
    }
  }

  /**
   * Whether another instance answers on its link: an instance that died keeps its presence keys
   * until they expire, but refuses connections (or never answers) at once.
   */
  async reachable(instanceId: string): Promise<boolean> {
    const url = await this.options.presence.instanceUrl(instanceId);
    return url ? this.#link(instanceId, url).opened() : false;
  }

  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#lastSeen.clear();
  }

  #link(peerId: string, url: string): PeerLink {
    const existing = this.#links.get(peerId);
    if (existing && !existing.closed) return existing;
    const link = new PeerLink({
      url,
      token: this.options.linkToken,
      fromInstanceId: this.options.instanceId,
      log: this.options.log,
      heartbeatMs: this.options.heartbeatMs,
      onClosed: (closed) => {
        if (this.#links.get(peerId) === closed) this.#links.delete(peerId);
      },
    });
    this.#links.set(peerId, link);
    return link;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
