'use client';

import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { LoadingState } from '@/components/loading-state';
import type { ApiQuery } from '@/lib/use-api-query';
import styles from './query-view.module.css';

/** Loading bars, then the data, or the API's message with "Try again". */
export function QueryView<T>({
  query,
  what,
  children,
}: {
  query: ApiQuery<T>;
  /** For screen readers and the error title: "members", "API tokens". */
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return children(query.data);
  if (query.error) {
    return (
      <div className={styles.error}>
        <Alert
          tone="danger"
          title={`Could not load ${what}`}
          action={
            <Button size="small" onClick={query.reload}>
              Try again
            </Button>
          }
        >
          {query.error.message}
        </Alert>
      </div>
    );
  }
  return <LoadingState label={`Loading ${what}…`} />;
}
