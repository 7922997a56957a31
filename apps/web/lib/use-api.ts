'use client';

import { useMemo } from 'react';
import { apiRequest } from './api';
import { useEnvironment } from './environment';

/** The API client bound to the page's environment: every call sends its slug. */
export function useApi() {
  const { slug } = useEnvironment();
  return useMemo(
    () => ({
      get: <T>(path: string) => apiRequest<T>('GET', path, { environment: slug }),
      post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, { environment: slug, body }),
      patch: <T>(path: string, body: unknown) => apiRequest<T>('PATCH', path, { environment: slug, body }),
      delete: (path: string) => apiRequest<void>('DELETE', path, { environment: slug }),
    }),
    [slug],
  );
}
