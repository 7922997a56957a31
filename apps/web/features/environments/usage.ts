import type { EnvironmentResourceType, EnvironmentUsage } from '@outpost/protocol/rest/environments';
import { ENVIRONMENT_RESOURCE_TYPES } from '@outpost/protocol/rest/environments';

export const RESOURCE_TYPE_LABELS: Record<EnvironmentResourceType, { one: string; plural: string }> = {
  agents: { one: 'agent', plural: 'agents' },
  apiTokens: { one: 'API token', plural: 'API tokens' },
  connections: { one: 'connection', plural: 'connections' },
  exports: { one: 'export', plural: 'exports' },
  imports: { one: 'import', plural: 'imports' },
  scripts: { one: 'script', plural: 'scripts' },
  flows: { one: 'flow', plural: 'flows' },
};

/** "2 agents", "1 flow": one line per type the environment holds, leaving out the empty ones. */
export function heldResources(counts: EnvironmentUsage['counts']): string[] {
  return ENVIRONMENT_RESOURCE_TYPES.filter((type) => counts[type] > 0).map((type) => {
    const labels = RESOURCE_TYPE_LABELS[type];
    return `${counts[type]} ${counts[type] === 1 ? labels.one : labels.plural}`;
  });
}

export function isBuiltIn(slug: string): boolean {
  return slug === 'production' || slug === 'sandbox';
}
