'use client';

import type { FlowRunPage, FlowRunSummary } from '@outpost/protocol/rest/runs';
import { useCallback, useState } from 'react';
import { ApiError, errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { usePolling } from '@/lib/use-polling';
import { isActive } from './run-format';

const PAGE_SIZE = 20;

/**
 * Runs newest first from `path` (`/v1/runs`, `/v1/flows/:id/runs`): the first page is asked again
 * every 1.5 s while one of its runs is queued or running; Show older runs adds the next pages.
 * `null`: nothing to list yet (a flow not saved yet).
 */
export function useRunList(path: string | null) {
  const api = useApi();
  const query = useApiQuery<FlowRunPage>(path === null ? null : `${path}?limit=${PAGE_SIZE}`);
  const [older, setOlder] = useState<FlowRunPage>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string>();

  const first = query.data?.items ?? [];
  usePolling(
    first.some((run) => isActive(run.status)),
    query.reload,
  );

  const seen = new Set(first.map((run) => run.id));
  const runs: FlowRunSummary[] = [...first, ...(older?.items ?? []).filter((run) => !seen.has(run.id))];
  const nextCursor = older ? older.nextCursor : (query.data?.nextCursor ?? null);

  const loadOlder = useCallback(async () => {
    if (!nextCursor || path === null) return;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await api.get<FlowRunPage>(
        `${path}?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(nextCursor)}`,
      );
      setOlder((current) => ({
        items: [...(current?.items ?? []), ...page.items],
        nextCursor: page.nextCursor,
      }));
    } catch (error) {
      setOlderError(error instanceof ApiError ? error.message : errorMessage(error));
    } finally {
      setLoadingOlder(false);
    }
  }, [api, path, nextCursor]);

  return { query, runs, nextCursor, loadOlder, loadingOlder, olderError };
}
