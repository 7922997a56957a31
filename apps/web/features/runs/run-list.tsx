'use client';

import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import { ActivityIcon } from '@/components/icons';
import { QueryView } from '@/features/shell/query-view';
import styles from './runs.module.css';
import { RunsTable } from './runs-table';
import type { useRunList } from './use-run-list';

/** A list of runs (a flow's history, or the environment's), with Show older runs under it. */
export function RunList({
  list,
  showFlow,
  empty,
}: {
  list: ReturnType<typeof useRunList>;
  showFlow: boolean;
  /** What to say before the first run. */
  empty: ReactNode;
}) {
  return (
    <QueryView query={list.query} what="runs">
      {() =>
        list.runs.length === 0 ? (
          <EmptyState icon={<ActivityIcon size={22} />} title="No runs yet" description={empty} />
        ) : (
          <>
            <RunsTable runs={list.runs} showFlow={showFlow} />
            {list.nextCursor || list.olderError ? (
              <div className={styles.more}>
                {list.olderError ? <Alert tone="danger">{list.olderError}</Alert> : null}
                {list.nextCursor ? (
                  <Button size="small" busy={list.loadingOlder} onClick={() => void list.loadOlder()}>
                    Show older runs
                  </Button>
                ) : null}
              </div>
            ) : null}
          </>
        )
      }
    </QueryView>
  );
}
