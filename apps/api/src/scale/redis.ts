import { Redis } from 'ioredis';

/**
 * A Redis client for one job (commands, or subscribing, which takes a connection of its own).
 * Commands fail fast while Redis is unreachable instead of queueing without end; the client keeps
 * reconnecting in the background.
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

/**
 * A command failed because Redis is away (its retries used up while reconnecting, or the
 * connection closed under it), as opposed to an error Redis answered: worth a 503, not a 500.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /^(Connection is closed|Stream isn't writeable)/.test(error.message)
  );
}

/** Key and channel names of one deployment: every name starts with its prefix. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Which instance and session hold an agent's socket. */
  agent(agentId: string): string {
    return `${this.prefix}agent:${agentId}`;
  }

  /** Set while a draining instance hands an agent over: requests wait for it to come back. */
  moving(agentId: string): string {
    return `${this.prefix}moving:${agentId}`;
  }

  /** A live instance: its internal URL. */
  instance(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}`;
  }

  get sweepLock(): string {
    return `${this.prefix}sweep-lock`;
  }

  get agentEvents(): string {
    return `${this.prefix}agent-events`;
  }

  attempts(name: string, key: string): string {
    return `${this.prefix}attempts:${name}:${key}`;
  }

  get rateLimit(): string {
    return `${this.prefix}rate-limit:`;
  }
}
