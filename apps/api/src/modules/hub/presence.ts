import type { Database } from '@outpost/db/client';
import type { Hello } from '@outpost/protocol/agent/frames';

/** Presence in the database: what the list of agents shows (Online, version, host, last seen). */
export async function markAgentOnline(
  db: Database,
  agentId: string,
  sessionId: string,
  hello: Hello,
  ipAddress: string,
) {
  const now = new Date();
  return db.agent.update({
    where: { id: agentId },
    data: {
      sessionId,
      version: hello.agent.version,
      hostname: hello.agent.hostname,
      os: hello.agent.os,
      arch: hello.agent.arch,
      ipAddress,
      connectedAt: now,
      lastSeenAt: now,
    },
    select: { scopeId: true, autoUpgrade: true },
  });
}

/** Offline, unless a newer session has taken over meanwhile. */
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
