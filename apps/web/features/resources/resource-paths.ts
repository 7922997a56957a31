import { environmentPath } from '../../lib/paths';

/** Resources with list, create and edit pages of their own (runs: a list and details). */
export type ResourceKind = 'connections' | 'exports' | 'imports' | 'scripts' | 'flows' | 'runs';

/** Resources → Exports of an environment: `/production/resources/exports`. */
export function resourcesPath(environment: string, kind: ResourceKind): string {
  return environmentPath(environment, `resources/${kind}`);
}

export function newResourcePath(environment: string, kind: ResourceKind): string {
  return `${resourcesPath(environment, kind)}/new`;
}

export function resourcePath(environment: string, kind: ResourceKind, id: string): string {
  return `${resourcesPath(environment, kind)}/${id}`;
}
