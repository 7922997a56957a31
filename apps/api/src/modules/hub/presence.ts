import { type Database, Prisma } from '@outpost/db/client';
import type { Hello } from '@outpost/protocol/agent/frames';

/** What the hub needs to know of an agent to let a session go live. */
export interface AgentAtHello {
  tokenDigest: string;
  scopeId: string;
  autoUpgrade: boolean;
}

/**
 * Many calls, few statements: calls made while a statement runs (or within the same turn of the
 * event loop) are answered by the next one, with all of their keys. When thousands of agents
 * connect at once (an API restart), the database sees one statement per batch, not per agent.
 */
class Batcher<K, V> {
  #queue = new Map<K, { resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[]>();
  #running = false;
  #scheduled = false;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 500,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.#queue.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.#queue.set(key, [{ resolve, reject }]);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#running || this.#queue.size === 0) return;
    this.#running = true;
    const batch = new Map<
      K,
      { resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[]
    >();
    for (const [key, waiting] of this.#queue) {
      if (batch.size >= this.maxBatch) break;
      batch.set(key, waiting);
      this.#queue.delete(key);
    }
    try {
      const found = await this.run([...batch.keys()]);
      for (const [key, waiting] of batch) for (const { resolve } of waiting) resolve(found.get(key));
    } catch (error) {
      for (const waiting of batch.values()) for (const { reject } of waiting) reject(error);
    } finally {
      this.#running = false;
      if (this.#queue.size > 0) this.#schedule();
    }
  }
}

interface OnlineMark {
  agentId: string;
  sessionId: string;
  hello: Hello;
  ipAddress: string;
}

/**
 * Presence in the database: what the list of agents shows (Online, version, host, last seen).
 * Reads and writes of many sessions at once are batched (see `Batcher`).
 */
export class AgentPresence {
  readonly #atHello: Batcher<string, AgentAtHello>;
  readonly #online: Batcher<string, { scopeId: string; autoUpgrade: boolean }>;
  readonly #offline: Batcher<string, { scopeId: string }>;
  /** The latest mark per agent waiting for the next batch (a newer session replaces an older one). */
  readonly #marks = new Map<string, OnlineMark>();

  constructor(db: Database) {
    this.#atHello = new Batcher(async (agentIds) => {
      const agents = await db.agent.findMany({
        where: { id: { in: agentIds } },
        select: { id: true, tokenDigest: true, scopeId: true, autoUpgrade: true },
      });
      return new Map(agents.map(({ id, ...agent }) => [id, agent]));
    });
    this.#online = new Batcher(async (agentIds) => {
      const marks = agentIds.flatMap((agentId) => {
        const mark = this.#marks.get(agentId);
        this.#marks.delete(agentId);
        return mark ? [mark] : [];
      });
      const rows = marks.map(
        ({ agentId, sessionId, hello, ipAddress }) =>
          Prisma.sql`(${agentId}::uuid, ${sessionId}::uuid, ${hello.agent.version}, ${hello.agent.hostname}, ${hello.agent.os}, ${hello.agent.arch}, ${ipAddress})`,
      );
      const updated = await db.$queryRaw<{ id: string; scopeId: string; autoUpgrade: boolean }[]>`
        UPDATE "Agent" AS a
        SET "sessionId" = v.session_id, "version" = v.version, "hostname" = v.hostname, "os" = v.os,
            "arch" = v.arch, "ipAddress" = v.ip, "connectedAt" = now(), "lastSeenAt" = now(),
            "updatedAt" = now()
        FROM (VALUES ${Prisma.join(rows)}) AS v(id, session_id, version, hostname, os, arch, ip)
        WHERE a.id = v.id
        RETURNING a.id, a."scopeId", a."autoUpgrade"`;
      return new Map(updated.map(({ id, ...agent }) => [id, agent]));
    });
    // Keyed by "agentId sessionId": offline only unless a newer session has taken over meanwhile.
    this.#offline = new Batcher(async (keys) => {
      const pairs = keys.map((key) => {
        const [agentId, sessionId] = key.split(' ');
        return Prisma.sql`(${agentId}::uuid, ${sessionId}::uuid)`;
      });
      const updated = await db.$queryRaw<{ id: string; sessionId: string; scopeId: string }[]>`
        UPDATE "Agent" AS a
        SET "sessionId" = NULL, "lastSeenAt" = now(), "updatedAt" = now()
        FROM (VALUES ${Prisma.join(pairs)}) AS v(id, session_id)
        WHERE a.id = v.id AND a."sessionId" = v.session_id
        RETURNING a.id, v.session_id AS "sessionId", a."scopeId"`;
      return new Map(updated.map((row) => [`${row.id} ${row.sessionId}`, { scopeId: row.scopeId }]));
    });
  }

  /** The agent's token digest, scope and upgrade setting; undefined when it was deleted. */
  atHello(agentId: string): Promise<AgentAtHello | undefined> {
    return this.#atHello.get(agentId);
  }

  /** Online with this session; undefined when the agent was deleted meanwhile. */
  markOnline(mark: OnlineMark): Promise<{ scopeId: string; autoUpgrade: boolean } | undefined> {
    this.#marks.set(mark.agentId, mark);
    return this.#online.get(mark.agentId);
  }

  /** Offline, unless a newer session has taken over meanwhile: its scope when it changed. */
  markOffline(agentId: string, sessionId: string): Promise<{ scopeId: string } | undefined> {
    return this.#offline.get(`${agentId} ${sessionId}`);
  }
}

/** Offline, unless a newer session has taken over meanwhile (one agent: the sweep of a dead instance). */
export async function markAgentOffline(db: Database, agentId: string, sessionId: string): Promise<boolean> {
  const { count } = await db.agent.updateMany({
    where: { id: agentId, sessionId },
    data: { sessionId: null, lastSeenAt: new Date() },
  });
  return count > 0;
}

/** At start-up of a single instance: sessions left by a previous process are gone. */
export async function markAllAgentsOffline(db: Database): Promise<void> {
  await db.agent.updateMany({ where: { sessionId: { not: null } }, data: { sessionId: null } });
}
