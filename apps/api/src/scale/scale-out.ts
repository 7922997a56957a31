import { randomUUID, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type { Database } from '@outpost/db/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { AgentEvents } from '../modules/agents/events.ts';
import { type AttemptLimiter, SharedAttemptLimiter } from '../modules/hub/attempt-limiter.ts';
import { redisEventRelay } from './event-relay.ts';
import { RedisPresence } from './presence.ts';
import { createRedis, RedisKeys } from './redis.ts';
import { Router } from './router.ts';
import { sweepPresence } from './sweeper.ts';

export interface ScaleOutDeps {
  config: Config;
  secrets: SecretBox;
  db: Database;
  log: FastifyBaseLogger;
  /** Counts requests sent to another instance. */
  onRouted?: () => void;
}

/** What the running instance tells scale-out once it listens. */
export interface InstanceHooks {
  /** Agents whose sessions here are healthy: their presence is refreshed. */
  healthyAgents(): string[];
  /** Agents whose presence expired while their session here lived on: they must reconnect. */
  onPresenceLost(agentIds: string[]): void;
  /** The event bus is back after Redis was unreachable: revocations may have been missed. */
  onEventsResumed(): void;
}

/**
 * Everything N API instances share through Redis (`REDIS_URL`): the agent event bus, presence
 * (which instance holds which agent) with expiry, routing of requests to the holder, attempt
 * counts, and the sweep that marks a dead instance's agents offline. One per app.
 */
export class ScaleOut {
  /** Random per process; in the logs and in Redis. */
  readonly instanceId = randomUUID();
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly presence: RedisPresence;
  readonly router: Router;
  readonly events: AgentEvents;
  /** What another instance shows to open a link to this one. */
  readonly linkToken: string;
  readonly #subscriber: Redis;
  readonly #timers: NodeJS.Timeout[] = [];
  #internalUrl: string | undefined;

  constructor(
    redisUrl: string,
    private readonly deps: ScaleOutDeps,
  ) {
    const { config } = deps;
    this.redis = createRedis(redisUrl, `outpost-api-${this.instanceId}`);
    this.#subscriber = createRedis(redisUrl, `outpost-api-${this.instanceId}-events`);
    for (const client of [this.redis, this.#subscriber])
      client.on('error', (error: Error) => deps.log.warn({ err: error }, 'Redis error'));
    this.keys = new RedisKeys(config.redisPrefix);
    // A dead instance's agents expire after two heartbeats without a refresh.
    this.presence = new RedisPresence(this.redis, this.keys, this.instanceId, 2 * config.agentHeartbeatMs);
    this.linkToken = deps.secrets.derive('instance-link').toString('base64url');
    this.router = new Router({
      instanceId: this.instanceId,
      presence: this.presence,
      linkToken: this.linkToken,
      heartbeatMs: config.agentHeartbeatMs,
      log: deps.log,
      ...(deps.onRouted ? { onRouted: deps.onRouted } : {}),
    });
    this.events = new AgentEvents(redisEventRelay(this.redis, this.#subscriber, this.keys.agentEvents));
  }

  /** Attempt counts every instance shares. */
  limiter(name: string, limit: number, windowMs: number): AttemptLimiter {
    return new SharedAttemptLimiter(this.redis, (key) => this.keys.attempts(name, key), limit, windowMs);
  }

  /** Whether a link's bearer is this deployment's link secret. */
  acceptsLinkToken(bearer: string): boolean {
    const given = Buffer.from(bearer);
    const expected = Buffer.from(this.linkToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The instance listens on `port`: registers it, then every heartbeat refreshes its presence and
   * its healthy agents', and (one instance at a time) sweeps the agents of dead instances offline.
   */
  start(port: number, hooks: InstanceHooks): void {
    const { config, log } = this.deps;
    const url = config.internalUrl ?? `http://${os.hostname()}:${port}`;
    this.#internalUrl = url;
    log.info({ instanceId: this.instanceId, internalUrl: url }, 'scale-out: instance registered in Redis');
    const refresh = () =>
      this.presence
        .refresh(url, hooks.healthyAgents())
        .then((lost) => lost.length > 0 && hooks.onPresenceLost(lost))
        .catch((error: unknown) => log.warn({ err: error }, 'could not refresh presence in Redis'));
    const sweepEveryMs = Math.max(50, Math.floor(config.agentHeartbeatMs / 2));
    const sweep = () =>
      sweepPresence(
        {
          ...this.deps,
          redis: this.redis,
          keys: this.keys,
          presence: this.presence,
          events: this.events,
          instanceId: this.instanceId,
        },
        sweepEveryMs,
      ).catch((error: unknown) => log.warn({ err: error }, 'presence sweep failed'));
    void refresh();
    let connected = this.#subscriber.status === 'ready';
    this.#subscriber.on('ready', () => {
      if (connected) hooks.onEventsResumed();
      connected = true;
    });
    this.#timers.push(setInterval(refresh, config.agentHeartbeatMs), setInterval(sweep, sweepEveryMs));
  }

  get internalUrl(): string | undefined {
    return this.#internalUrl;
  }

  /** For /readyz: Redis answers, within a second. */
  async ping(): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer in time')), 1_000);
    });
    try {
      await Promise.race([this.redis.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.router.close();
    if (this.#internalUrl) await this.presence.unregister().catch(() => undefined);
    for (const client of [this.redis, this.#subscriber]) {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    }
  }
}
