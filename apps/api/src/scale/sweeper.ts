import type { Database } from '@outpost/db/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AgentEvents } from '../modules/agents/events.ts';
import { markAgentOffline } from '../modules/hub/presence.ts';
import type { RedisPresence } from './presence.ts';
import type { RedisKeys } from './redis.ts';

export interface SweepDeps {
  db: Database;
  redis: Redis;
  keys: RedisKeys;
  presence: RedisPresence;
  events: AgentEvents;
  instanceId: string;
  log: FastifyBaseLogger;
}

const BATCH = 1_000;

/**
 * Keeps the database's presence (what the agent list shows) true to Redis: an agent marked online
 * whose session no longer holds its presence key (its instance died, so the key expired) is marked
 * offline, and the change is published so that open pages update. One instance sweeps at a time
 * (a lock that lives `everyMs`); returns how many agents it marked offline.
 */
export async function sweepPresence(deps: SweepDeps, everyMs: number): Promise<number> {
  const { db, redis, keys, presence, events } = deps;
  const locked = await redis.set(keys.sweepLock, deps.instanceId, 'PX', everyMs, 'NX');
  if (!locked) return 0;
  const online = await db.agent.findMany({
    where: { sessionId: { not: null } },
    select: { id: true, sessionId: true, scopeId: true },
  });
  let marked = 0;
  for (let start = 0; start < online.length; start += BATCH) {
    const batch = online.slice(start, start + BATCH);
    const sessions = await presence.sessionsOf(batch.map((agent) => agent.id));
    for (const [index, agent] of batch.entries()) {
      if (!agent.sessionId || sessions[index] === agent.sessionId) continue;
      if (!(await markAgentOffline(db, agent.id, agent.sessionId))) continue;
      marked += 1;
      events.publishChange({ type: 'changed', scopeId: agent.scopeId, agentId: agent.id });
    }
  }
  if (marked > 0) deps.log.info({ agents: marked }, 'marked agents offline whose instance went away');
  return marked;
}
