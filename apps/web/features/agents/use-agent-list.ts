'use client';

import type { Agent, AgentEvent, AgentPage } from '@outpost/protocol/rest/agents';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiRequest } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { type AgentList, appendPage, applyAgentEvent, EMPTY_AGENT_LIST } from './agent-list';
import { type LiveState, useAgentEvents } from './use-agent-events';

export const PAGE_SIZE = 100;
/** The API's largest page: a reload fetches everything on screen in one request. */
const MAX_PAGE_SIZE = 1000;
/** While live updates are down, the list is reloaded this often instead. */
const FALLBACK_RELOAD_MS = 60_000;

export interface AgentListView {
  list: AgentList | undefined;
  /** The search the list on screen answers. */
  listSearch: string;
  error: ApiError | undefined;
  /** A new search or a reload is on its way; the list on screen is the previous answer. */
  reloading: boolean;
  loadingMore: boolean;
  live: LiveState;
  loadMore: () => void;
  reload: () => void;
  /** Puts an agent this person created (`pin`: whatever the search) or changed on screen at once. */
  show: (agent: Agent, options?: { pin?: boolean }) => void;
  /** Takes an agent this person deleted off the screen at once. */
  forget: (agentId: string) => void;
}

/**
 * The agents of the page's environment that match `search`, a page at a time, kept current by the
 * live event stream. An answer that left the server before some events gets those events replayed
 * onto it, so that it never shows an agent offline again that the stream already said is online.
 */
export function useAgentList(search: string): AgentListView {
  const { slug } = useEnvironment();
  const [list, setList] = useState<AgentList>();
  const [listSearch, setListSearch] = useState(search);
  const [error, setError] = useState<ApiError>();
  const [reloading, setReloading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const searchRef = useRef(search);
  const listRef = useRef(list);
  /** Agents created here: shown even outside the search or the loaded pages. */
  const pinned = useRef(new Set<string>());
  /** Agents deleted here, whose own `agent.deleted` event is still on its way. */
  const deleted = useRef(new Set<string>());
  /** Events received while requests are in flight, to replay onto their answers. */
  const eventLog = useRef<AgentEvent[]>([]);
  const inFlight = useRef(0);
  /** The list request in flight, ended when a newer one replaces it. */
  const listRequest = useRef<AbortController | null>(null);
  const reloadTicket = useRef(0);

  useEffect(() => {
    listRef.current = list;
  }, [list]);

  const apply = useCallback((event: AgentEvent) => {
    if (event.type === 'agent.deleted' && deleted.current.delete(event.agentId)) return;
    if (inFlight.current > 0) eventLog.current.push(event);
    setList(
      (current) =>
        current && applyAgentEvent(current, event, { search: searchRef.current, pinned: pinned.current }),
    );
  }, []);

  /** Runs one list request; its answer, with the events since it started, becomes the list. */
  const request = useCallback(
    async (path: string, term: string, toList: (current: AgentList, page: AgentPage) => AgentList) => {
      listRequest.current?.abort();
      const controller = new AbortController();
      listRequest.current = controller;
      if (inFlight.current === 0) eventLog.current = [];
      const from = eventLog.current.length;
      inFlight.current += 1;
      try {
        const page = await apiRequest<AgentPage>('GET', path, {
          environment: slug,
          signal: controller.signal,
        });
        if (controller.signal.aborted) return;
        const missed = eventLog.current.slice(from);
        const options = { search: term, pinned: pinned.current, countUnlisted: false };
        setList((current) =>
          missed.reduce(
            (answer, event) => applyAgentEvent(answer, event, options),
            toList(current ?? EMPTY_AGENT_LIST, page),
          ),
        );
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
    [slug],
  );

  /** The first pages again: as many agents as are on screen, at least one page. */
  const reload = useCallback(() => {
    const term = searchRef.current;
    const onScreen = listRef.current?.items.length ?? 0;
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, onScreen));
    reloadTicket.current += 1;
    const ticket = reloadTicket.current;
    setReloading(true);
    void request(agentsPath({ limit, search: term }), term, (_current, page) =>
      appendPage(EMPTY_AGENT_LIST, page),
    ).finally(() => {
      if (ticket === reloadTicket.current) setReloading(false);
    });
  }, [request]);

  const loadMore = useCallback(() => {
    const cursor = listRef.current?.nextCursor;
    if (!cursor || reloading) return;
    const term = searchRef.current;
    setLoadingMore(true);
    void request(agentsPath({ limit: PAGE_SIZE, search: term, cursor }), term, appendPage).finally(() =>
      setLoadingMore(false),
    );
  }, [request, reloading]);

  // A new search (the caller debounces typing) starts from the first page.
  useEffect(() => {
    searchRef.current = search;
    pinned.current.clear();
    listRef.current = undefined;
    reload();
  }, [search, reload]);

  useEffect(() => () => listRequest.current?.abort(), []);

  // Events missed while the stream was down are not sent again: every (re)connection reloads.
  const live = useAgentEvents({ onEvent: apply, onOpen: reload });

  // The slow fallback while live updates are down; never a substitute for them.
  useEffect(() => {
    if (live === 'live') return;
    const timer = setInterval(reload, FALLBACK_RELOAD_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  const show = useCallback(
    (agent: Agent, { pin = false }: { pin?: boolean } = {}) => {
      if (pin) pinned.current.add(agent.id);
      apply({ type: 'agent.upserted', agent });
    },
    [apply],
  );

  const forget = useCallback(
    (agentId: string) => {
      pinned.current.delete(agentId);
      apply({ type: 'agent.deleted', agentId });
      deleted.current.add(agentId);
    },
    [apply],
  );

  return { list, listSearch, error, reloading, loadingMore, live, loadMore, reload, show, forget };
}

function agentsPath({ limit, search, cursor }: { limit: number; search: string; cursor?: string }): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (search.trim()) query.set('search', search.trim());
  if (cursor) query.set('cursor', cursor);
  return `/v1/agents?${query}`;
}
