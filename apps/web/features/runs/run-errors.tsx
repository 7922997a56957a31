'use client';

import type { FlowRun, FlowRunErrorPage, FlowRunRecordError } from '@outpost/protocol/rest/runs';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Badge } from '@/components/badge';
import { Button } from '@/components/button';
import { Panel } from '@/components/panel';
import { QueryView } from '@/features/shell/query-view';
import { errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { usePolling } from '@/lib/use-polling';
import { isActive } from './run-format';
import styles from './runs.module.css';

const PAGE_SIZE = 25;

const STAGE_LABELS: Record<FlowRunRecordError['stage'], string> = {
  export: 'Export',
  script: 'Script',
  import: 'Import',
};

/**
 * The records a run could not move, oldest first: where (page, record, stage and step), why, and
 * the record as it was at that step. Pages of 25, asked again while the run is active.
 */
export function RunErrors({ run }: { run: FlowRun }) {
  const api = useApi();
  const path = `/v1/runs/${run.id}/errors?limit=${PAGE_SIZE}`;
  const first = useApiQuery<FlowRunErrorPage>(path);
  const [more, setMore] = useState<FlowRunErrorPage>();
  const [loading, setLoading] = useState(false);
  const [moreError, setMoreError] = useState<string>();
  usePolling(isActive(run.status), first.reload);

  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const seen = new Set(first.data?.items.map((error) => error.id));
  const errors = [
    ...(first.data?.items ?? []),
    ...(more?.items ?? []).filter((error) => !seen.has(error.id)),
  ];

  async function showMore() {
    if (!nextCursor) return;
    setLoading(true);
    setMoreError(undefined);
    try {
      const page = await api.get<FlowRunErrorPage>(`${path}&cursor=${encodeURIComponent(nextCursor)}`);
      setMore((current) => ({
        items: [...(current?.items ?? []), ...page.items],
        nextCursor: page.nextCursor,
      }));
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setLoading(false);
    }
  }

  return (
    <Panel
      title={
        <>
          Errors <span className={styles.count}>{run.counts.failed}</span>
        </>
      }
    >
      <QueryView query={first} what="the run's errors">
        {() =>
          errors.length === 0 ? (
            <p className={styles.none}>
              {isActive(run.status) ? 'No record has failed so far.' : 'No record failed.'}
            </p>
          ) : (
            <>
              <ol className={styles.errors} aria-label="Failed records">
                {errors.map((error) => (
                  <RecordError key={error.id} error={error} />
                ))}
              </ol>
              {nextCursor || moreError ? (
                <div className={styles.more}>
                  {moreError ? <Alert tone="danger">{moreError}</Alert> : null}
                  {nextCursor ? (
                    <Button size="small" busy={loading} onClick={() => void showMore()}>
                      Show more errors
                    </Button>
                  ) : null}
                </div>
              ) : null}
            </>
          )
        }
      </QueryView>
    </Panel>
  );
}

function RecordError({ error }: { error: FlowRunRecordError }) {
  return (
    <li className={styles.error} data-testid="record-error">
      <div className={styles.errorWhere}>
        <Badge tone="danger">{STAGE_LABELS[error.stage]}</Badge>
        <strong>{error.step}</strong>
        <span>
          page {error.page}, record {error.index + 1}
        </span>
      </div>
      <p className={styles.errorMessage}>{error.message}</p>
      <pre className={styles.record} data-testid="failed-record">
        {JSON.stringify(error.record, null, 2)}
      </pre>
    </li>
  );
}
