import { environmentPath } from '../../lib/paths';

/** Resources → Connections of an environment, and its create and edit pages. */
export function connectionsPath(environment: string): string {
  return environmentPath(environment, 'resources/connections');
}

export function newConnectionPath(environment: string): string {
  return `${connectionsPath(environment)}/new`;
}

export function connectionPath(environment: string, connectionId: string): string {
  return `${connectionsPath(environment)}/${connectionId}`;
}

export function agentsPath(environment: string): string {
  return environmentPath(environment, 'resources/agents');
}
