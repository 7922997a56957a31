import type { Database, Prisma } from '@outpost/db/client';
import {
  ENVIRONMENT_RESOURCE_TYPES,
  type EnvironmentResourceType,
} from '@outpost/protocol/rest/environments';

type Reader = Database | Prisma.TransactionClient;

export const RESOURCE_LABELS: Record<EnvironmentResourceType, { one: string; plural: string }> = {
  agents: { one: 'agent', plural: 'agents' },
  apiTokens: { one: 'API token', plural: 'API tokens' },
  connections: { one: 'connection', plural: 'connections' },
  exports: { one: 'export', plural: 'exports' },
  imports: { one: 'import', plural: 'imports' },
  scripts: { one: 'script', plural: 'scripts' },
  flows: { one: 'flow', plural: 'flows' },
};

export type ResourceCounts = Record<EnvironmentResourceType, number>;

/** How many resources of each type (all of them unless `types` says) the scope holds. */
export async function countScopeResources(
  db: Reader,
  scopeId: string,
  types: readonly EnvironmentResourceType[] = ENVIRONMENT_RESOURCE_TYPES,
): Promise<ResourceCounts> {
  const where = { scopeId };
  const counters: Record<EnvironmentResourceType, () => Promise<number>> = {
    agents: () => db.agent.count({ where }),
    apiTokens: () => db.apiToken.count({ where }),
    connections: () => db.connection.count({ where }),
    exports: () => db.export.count({ where }),
    imports: () => db.import.count({ where }),
    scripts: () => db.script.count({ where }),
    flows: () => db.flow.count({ where }),
  };
  const counts = Object.fromEntries(ENVIRONMENT_RESOURCE_TYPES.map((type) => [type, 0])) as ResourceCounts;
  // One after the other: inside a transaction the queries share one connection anyway.
  for (const type of types) counts[type] = await counters[type]();
  return counts;
}

/** "2 agents, 1 connection and 3 flows": what a scope holds, in words, leaving out the types it has none of. */
export function describeCounts(counts: ResourceCounts): string {
  const parts = ENVIRONMENT_RESOURCE_TYPES.filter((type) => counts[type] > 0).map(
    (type) =>
      `${counts[type]} ${counts[type] === 1 ? RESOURCE_LABELS[type].one : RESOURCE_LABELS[type].plural}`,
  );
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

export function activeRunCount(db: Reader, scopeId: string): Promise<number> {
  return db.flowRun.count({ where: { scopeId, status: { in: ['QUEUED', 'RUNNING'] } } });
}
