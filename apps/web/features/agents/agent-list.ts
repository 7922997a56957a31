import type { Agent, AgentEvent, AgentPage } from '@outpost/protocol/rest/agents';

/**
 * The agents on screen: the pages loaded so far, in the API's order, kept current by live events.
 * Pure functions, so that the rules (what an event does to a partly loaded, filtered list) are
 * tested without a browser.
 */
export interface AgentList {
  /** Sorted by name, as the API sorts them. */
  items: Agent[];
  /** Where the next page starts; null when every matching agent is loaded. */
  nextCursor: string | null;
  /** Matching agents in the environment, loaded or not. */
  total: number;
}

export const EMPTY_AGENT_LIST: AgentList = { items: [], nextCursor: null, total: 0 };

/**
 * The API's order: by name, compared as the database does (code points, so "Zeta" comes before
 * "alpha"). Another order would put live-inserted rows where the next page does not expect them.
 */
export function compareByName(a: Pick<Agent, 'name'>, b: Pick<Agent, 'name'>): number {
  if (a.name < b.name) return -1;
  return a.name > b.name ? 1 : 0;
}

/** The API's search: case-insensitive, in the name, description or host name. */
export function matchesSearch(agent: Agent, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [agent.name, agent.description, agent.hostname ?? ''].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

/** Whether an agent of that name sorts into the loaded pages (not into one still to load). */
function inLoadedRange(list: AgentList, agent: Agent): boolean {
  if (list.nextCursor === null) return true;
  const last = list.items.at(-1);
  return last !== undefined && compareByName(agent, last) <= 0;
}

/** A page from the API after the loaded ones; an agent already on screen is not shown twice. */
export function appendPage(list: AgentList, page: AgentPage): AgentList {
  const known = new Set(list.items.map((agent) => agent.id));
  return {
    items: [...list.items, ...page.items.filter((agent) => !known.has(agent.id))].sort(compareByName),
    nextCursor: page.nextCursor,
    total: page.total,
  };
}

export interface ChangeOptions {
  /** The list's search term: an agent that no longer matches it leaves the list. */
  search: string;
  /**
   * Whether a change to an agent that is not on screen changes the total: yes for a live event,
   * no when replaying events onto an answer that may already count them.
   */
  countUnlisted?: boolean;
}

/** An agent was created or changed (fields, presence, token). */
export function upsertAgent(
  list: AgentList,
  agent: Agent,
  {
    search,
    countUnlisted = true,
    pin = false,
  }: ChangeOptions & {
    /**
     * Keep the agent on screen even outside the search or the loaded pages: one this person just
     * created must appear at once, wherever it sorts.
     */
    pin?: boolean;
  },
): AgentList {
  const others = list.items.filter((item) => item.id !== agent.id);
  const wasListed = others.length !== list.items.length;
  const rest = { ...list, items: others };
  const counted = pin || matchesSearch(agent, search);
  const shown = pin || (counted && inLoadedRange(rest, agent));

  let total = list.total;
  if (wasListed && !counted) total -= 1;
  // Not on screen but counted: a new agent, or one of the pages not loaded yet. Inside the loaded
  // range an unknown agent can only be new; outside it, one never changed since its creation is.
  const isNew = pin || inLoadedRange(rest, agent) || agent.createdAt === agent.updatedAt;
  if (!wasListed && counted && countUnlisted && isNew) total += 1;

  return {
    items: shown ? [...others, agent].sort(compareByName) : others,
    nextCursor: list.nextCursor,
    total: Math.max(total, 0),
  };
}

/** An agent was deleted. */
export function removeAgent(
  list: AgentList,
  agentId: string,
  { search, countUnlisted = true }: ChangeOptions,
): AgentList {
  const items = list.items.filter((agent) => agent.id !== agentId);
  const wasListed = items.length !== list.items.length;
  // Not on screen: without a search it was on a page not loaded yet; with one, it may not have
  // matched, and the count waits for the next reload.
  const counted = wasListed || (countUnlisted && !search.trim());
  return { ...list, items, total: counted ? Math.max(list.total - 1, 0) : list.total };
}

/** Applies one live event; `pinned` are the agents kept on screen whatever the search. */
export function applyAgentEvent(
  list: AgentList,
  event: AgentEvent,
  { pinned, ...options }: ChangeOptions & { pinned: ReadonlySet<string> },
): AgentList {
  if (event.type === 'agent.deleted') return removeAgent(list, event.agentId, options);
  return upsertAgent(list, event.agent, { ...options, pin: pinned.has(event.agent.id) });
}
