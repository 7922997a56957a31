import type {
  MigrationItem,
  MigrationOutcome,
  MigrationPlan,
  MigrationResourceType,
} from '@outpost/protocol/rest/migrations';
import { httpSettingsOf } from '../connections/settings.ts';
import { runsOnSchedule, type SharedScope } from './source.ts';

/** The id of each Sandbox copy by the id of the Production resource it copies. */
export type CopyIds = Map<string, string>;

interface Described {
  type: MigrationResourceType;
  id: string;
  name: string;
  /** The Sandbox copy. */
  outcome: Exclude<MigrationOutcome, 'kept'>;
  action?: string | null;
  note?: string | null;
  /** The Production resource itself, when something about it changes. */
  keptNote?: string | null;
  keptAction?: string | null;
}

/**
 * What the migration does to every resource of the shared scope, in words: each resource is kept
 * in Production and copied to Sandbox. `copies` (after the migration) fills in the copies' ids; a
 * preview has none. Never says a token or a secret.
 */
export function describeMigration(source: SharedScope, copies: CopyIds | null): MigrationPlan {
  const agentName = new Map(source.agents.map((agent) => [agent.id, agent.name]));
  const described: Described[] = [
    ...source.agents.map(
      (agent): Described => ({
        type: 'agent',
        id: agent.id,
        name: agent.name,
        outcome: 'copied_new_token',
        action: `Show token on agent "${agent.name}" in Sandbox and install it on a machine of the network Sandbox should reach`,
        note: 'A new agent awaiting setup: the Production agent keeps its token and stays connected',
      }),
    ),
    ...source.apiTokens.map(
      (apiToken): Described => ({
        type: 'api_token',
        id: apiToken.id,
        name: apiToken.name,
        outcome: 'copied_new_token',
        action: `Show token on API token "${apiToken.name}" in Sandbox and give it to the programs that should act in Sandbox`,
        note: 'A new token bound to Sandbox; the Production token keeps working',
        ...(apiToken.environment.slug === 'sandbox'
          ? {
              keptNote:
                'It was bound to Sandbox; it stays with the resources it already changed, which stay in Production, so it now acts in Production',
              keptAction: `Programs that used API token "${apiToken.name}" for Sandbox: give them the token of its Sandbox copy`,
            }
          : {}),
      }),
    ),
    ...source.connections.map((connection): Described => {
      const actions: string[] = [];
      if (connection.mode === 'ON_PREMISE' && connection.agentId) {
        actions.push(
          `Runs on agent "${agentName.get(connection.agentId) ?? ''}" in Sandbox: install that agent before using it`,
        );
      }
      const oauthCode = httpSettingsOf(connection)?.auth.type === 'oauth2_authorization_code';
      if (oauthCode)
        actions.push(`Connect connection "${connection.name}" in Sandbox to its authorization server`);
      return {
        type: 'connection',
        id: connection.id,
        name: connection.name,
        outcome: 'copied',
        action: actions.length ? actions.join('. ') : null,
        note: oauthCode
          ? 'Same settings and secrets; its OAuth tokens stay with Production (a refresh token cannot be shared)'
          : 'Same settings and secrets',
      };
    }),
    ...source.exports.map(
      (item): Described => ({
        type: 'export',
        id: item.id,
        name: item.name,
        outcome: 'copied',
        note:
          item.lastValue === null
            ? null
            : 'Starts from the beginning: the last value read stays with the Production export',
      }),
    ),
    ...source.imports.map(
      (item): Described => ({ type: 'import', id: item.id, name: item.name, outcome: 'copied' }),
    ),
    ...source.scripts.map(
      (script): Described => ({ type: 'script', id: script.id, name: script.name, outcome: 'copied' }),
    ),
    ...source.flows.map(
      (flow): Described =>
        runsOnSchedule(flow)
          ? {
              type: 'flow',
              id: flow.id,
              name: flow.name,
              outcome: 'copied_disabled',
              action: `Turn on flow "${flow.name}" in Sandbox once its connections are ready: scheduled flows are copied turned off`,
              note: 'Uses the Sandbox copies of its export, scripts and imports',
            }
          : {
              type: 'flow',
              id: flow.id,
              name: flow.name,
              outcome: 'copied',
              note: 'Uses the Sandbox copies of its export, scripts and imports',
            },
    ),
  ];

  const items: MigrationItem[] = [];
  for (const resource of described) {
    items.push({
      type: resource.type,
      name: resource.name,
      environment: 'production',
      outcome: 'kept',
      id: resource.id,
      sourceId: null,
      action: resource.keptAction ?? null,
      note: resource.keptNote ?? null,
    });
    items.push({
      type: resource.type,
      name: resource.name,
      environment: 'sandbox',
      outcome: resource.outcome,
      id: copies?.get(resource.id) ?? null,
      sourceId: resource.id,
      action: resource.action ?? null,
      note: resource.note ?? null,
    });
  }

  const notes = [
    'Production keeps every resource with its id, token and settings: its agents stay connected and its flows keep running.',
    'Sandbox gets an environment of its own with copies of the connections, exports, imports, scripts and flows; the copies use only each other.',
    'Agents and API tokens are credentials: their Sandbox copies have new tokens, shown with Show token in Sandbox.',
  ];
  if (source.runs > 0) {
    notes.push(
      `Flow runs stay with Production (${source.runs} ${source.runs === 1 ? 'run' : 'runs'}): Sandbox starts without run history.`,
    );
  }
  notes.push('The account becomes multi-environment: it can add environments, and cannot go back to legacy.');
  return { items, notes };
}
