'use client';

import type { Agent, AgentEvent, AgentPage } from '@outpost/protocol/rest/agents';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiRequest } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { type AgentList, appendPage, applyAgentEvent, EMPTY_AGENT_LIST, upsertAgent } from './agent-list';
import { type LiveState, useAgentEvents } from './use-agent-events';

export const PAGE_SIZE = 100;
/** The API's largest page: a reload fetches everything on screen in one request. */
const MAX_PAGE_SIZE = 1000;
/** While live updates are down, the list is reloaded this often instead. */
const FALLBACK_REFRESH_MS = 60_000;

export interface AgentListView {
  list: AgentList | undefined;
  /** The search the list on screen answers. */
  listSearch: string;
  error: ApiError | undefined;
  /** A new search or a reload is on its way; the list on screen is the previous answer. */
  refreshing: boolean;
  loadingMore: boolean;
  live: LiveState;
  loadMore: () => void;
  reload: () => void;
  /** Puts an agent this person created or changed on screen at once. */
  show: (agent: Agent, options?: { pin?: boolean }) => void;
  /** Takes an agent this person deleted off the screen at once. */
  forget: (agentId: string) => void;
}

/**
 * The agents of the page's environment that match `search`, a page at a time, kept current by the
 * live event stream. A request that ends after events arrived replays them onto its answer, so an
 * answer that left the server before an agent came online never shows it offline again.
 */
export function useAgentList(search: string): AgentListView {
  const { slug } = useEnvironment();
  const [list, setList] = useState<AgentList>();
  const [listSearch, setListSearch] = useState(search);
  const [error, setError] = useState<ApiError>();
  const [refreshing, setRefreshing] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const searchRef = useRef(search);
  /** Agents created here: shown even outside the search or the loaded pages. */
  const pinned = useRef(new Set<string>());
  /** Events received while requests are in flight, to replay onto their answers. */
  const eventLog = useRef<AgentEvent[]>([]);
  const inFlight = useRef(0);
  /** Ends the list request in flight when a newer one replaces it. */
  const listRequest = useRef<AbortController | null>(null);
  const loadedCount = useRef(0);
  loadedCount.current = list?.items.length ?? 0;
  const nextCursor = list?.nextCursor ?? null;

  const replay = useCallback((answer: AgentList, from: number, term: string) => {
    const options = { search: term, pinned: pinned.current };
    return eventLog.current.slice(from).reduce((current, event) => applyAgentEvent(current, event, options), answer);
  }, []);

  /** Runs a list request; its answer, with the events since it started, becomes the list. */
  const request = useCallback(
    async (path: string, term: string, toList: (page: AgentPage) => (current: AgentList) => AgentList) => {
      listRequest.current?.abort();
      const controller = new AbortController();
      listRequest.current = controller;
      if (inFlight.current === 0) eventLog.current = [];
      const from = eventLog.current.length;
      inFlight.current += 1;
      try {
        const page = await apiRequest<AgentPage>('GET', path, { environment: slug, signal: controller.signal });
        if (controller.signal.aborted) return;
        setList((current) => replay(toList(page)(current ?? EMPTY_AGENT_LIST), from, term));
        setListSearch(term);
        setError(undefined);
      } catch (caught) {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'unknown', String(caught)));
      } finally {
        inFlight.current -= 1;
        if (inFlight.current === 0) eventLog.current = [];
      }
    },
    [slug, replay],
  );

  /** The first pages again: as many agents as are on screen, at least one page. */
  const reload = useCallback(() => {
    const term = searchRef.current;
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, loadedCount.current));
    setRefreshing(true);
    void request(agentsPath({ limit, search: term }), term, (page) => () => appendPage(EMPTY_AGENT_LIST, page)).finally(
      () => {
        if (searchRef.current === term) setRefreshing(false);
      },
    );
  }, [request]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const term = searchRef.current;
    setLoadingMore(true);
    void request(agentsPath({ limit: PAGE_SIZE, search: term, cursor: nextCursor }), term, (page) => (current) =>
      appendPage(current, page),
    ).finally(() => setLoadingMore(false));
  }, [request, nextCursor]);

  // A new search (already debounced by the caller) starts from the first page.
  useEffect(() => {
    searchRef.current = search;
    pinned.current.clear();
    loadedCount.current = 0;
    reload();
  }, [search, reload]);

  useEffect(() => () => listRequest.current?.abort(), []);

  const live = useAgentEvents({
    onEvent: (event) => {
      if (inFlight.current > 0) eventLog.current.push(event);
      setList((current) =>
        current ? applyAgentEvent(current, event, { search: searchRef.current, pinned: pinned.current }) : current,
      );
    },
    // Events missed while the stream was down are not sent again.
    onOpen: reload,
  });

  // The slow fallback while live updates are down; never a substitute for them.
  useEffect(() => {
    if (live === 'live') return;
    const timer = setInterval(reload, FALLBACK_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  const show = useCallback((agent: Agent, { pin = false }: { pin?: boolean } = {}) => {
    if (pin) pinned.current.add(agent.id);
    const event: AgentEvent = { type: 'agent.upserted', agent };
    if (inFlight.current > 0) eventLog.current.push(event);
    setList((current) =>
      current ? upsertAgent(current, agent, { search: searchRef.current, pin: pinned.current.has(agent.id) }) : current,
    );
  }, []);

  const forget = useCallback((agentId: string) => {
    pinned.current.delete(agentId);
    const event: AgentEvent = { type: 'agent.deleted', agentId };
    if (inFlight.current > 0) eventLog.current.push(event);
    setList((current) =>
      current ? applyAgentEvent(current, event, { search: searchRef.current, pinned: pinned.current }) : current,
    );
  }, []);

  return { list, listSearch, error, refreshing, loadingMore, live, loadMore, reload, show, forget };
}

function agentsPath({ limit, search, cursor }: { limit: number; search: string; cursor?: string }): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (search.trim()) query.set('search', search.trim());
  if (cursor) query.set('cursor', cursor);
  return `/v1/agents?${query}`;
}
