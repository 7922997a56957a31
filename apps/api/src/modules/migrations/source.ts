import type { Database, Prisma } from '@outpost/db/client';

type Reader = Database | Prisma.TransactionClient;

/** Everything of the legacy account's shared scope that the migration keeps or copies. */
export async function readSharedScope(db: Reader, scopeId: string) {
  const where = { scopeId };
  const byName = { name: 'asc' } as const;
  // One after the other: in the migration's transaction they share one connection and one snapshot.
  const agents = await db.agent.findMany({ where, orderBy: byName });
  const apiTokens = await db.apiToken.findMany({
    where,
    orderBy: byName,
    include: { environment: { select: { slug: true } } },
  });
  const connections = await db.connection.findMany({ where, orderBy: byName });
  const scripts = await db.script.findMany({ where, orderBy: byName });
  const exports = await db.export.findMany({ where, orderBy: byName });
  const imports = await db.import.findMany({ where, orderBy: byName });
  const flows = await db.flow.findMany({
    where,
    orderBy: byName,
    include: { scripts: { orderBy: { position: 'asc' } }, imports: { orderBy: { position: 'asc' } } },
  });
  const runs = await db.flowRun.count({ where });
  return { agents, apiTokens, connections, scripts, exports, imports, flows, runs };
}

export type SharedScope = Awaited<ReturnType<typeof readSharedScope>>;

/** A scheduled flow that is on: its Sandbox copy starts turned off. */
export function runsOnSchedule(flow: { enabled: boolean; schedule: string | null }): boolean {
  return flow.enabled && flow.schedule !== null;
}
