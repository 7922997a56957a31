'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, apiRequest } from './api';
import { useEnvironment } from './environment';

interface QueryState<T> {
  /** Environment and path the data belongs to: data of another environment is never shown. */
  key: string | null;
  data?: T;
  error?: ApiError;
}

export interface ApiQuery<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetches again, keeping the current data on screen until the new answer arrives. */
  reload: () => void;
  /** Changes the data in place after a mutation the API confirmed. */
  update: (change: (data: T) => T) => void;
}

/** GETs `path` in the page's environment; `null` skips the request (e.g. the role may not see it). */
export function useApiQuery<T>(path: string | null): ApiQuery<T> {
  const { slug } = useEnvironment();
  const key = path === null ? null : `${slug} ${path}`;
  const [state, setState] = useState<QueryState<T>>({ key: null });
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    if (path === null || key === null) return;
    const controller = new AbortController();
    apiRequest<T>('GET', path, { environment: slug, signal: controller.signal }).then(
      (data) => setState({ key, data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({
          key,
          error: error instanceof ApiError ? error : new ApiError(0, 'unknown', String(error)),
        });
      },
    );
    return () => controller.abort();
  }, [key, path, slug, reloads]);

  const current = state.key === key ? state : { key };
  const update = useCallback(
    (change: (data: T) => T) =>
      setState((previous) =>
        previous.key === key && previous.data !== undefined
          ? { ...previous, data: change(previous.data) }
          : previous,
      ),
    [key],
  );

  return {
    data: current.data,
    error: current.error,
    loading: key !== null && current.data === undefined && current.error === undefined,
    reload: useCallback(() => setReloads((count) => count + 1), []),
    update,
  };
}
