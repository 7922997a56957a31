'use client';

import type { FlowRunSummary } from '@outpost/protocol/rest/runs';
import Link from 'next/link';
import { CellText, cellStyles, Table } from '@/components/table';
import { useNow } from '@/features/agents/use-now';
import { resourcePath } from '@/features/resources/resource-paths';
import { useEnvironment } from '@/lib/environment';
import { formatDateTime, formatRelative } from '@/lib/format';
import { formatDuration, runDuration, STATUS_LABELS, TRIGGER_LABELS } from './run-format';
import { RunStatusBadge } from './run-status';
import styles from './runs.module.css';

const integer = new Intl.NumberFormat('en');

/**
 * Runs, newest first: status, (the flow), what started it, when, how long, and the counts. The
 * start links to the run's details; a running run's duration counts up.
 */
export function RunsTable({ runs, showFlow }: { runs: FlowRunSummary[]; showFlow: boolean }) {
  const environment = useEnvironment();
  const now = useNow(1000);
  return (
    <Table label="Runs">
      <thead>
        <tr>
          <th scope="col">Status</th>
          {showFlow ? <th scope="col">Flow</th> : null}
          <th scope="col">Started</th>
          <th scope="col">Trigger</th>
          <th scope="col">Duration</th>
          <th scope="col">Read</th>
          <th scope="col">Written</th>
          <th scope="col">Failed</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const duration = runDuration(run, now);
          const at = run.startedAt ?? run.createdAt;
          return (
            <tr key={run.id} data-testid={`run-${run.id}`}>
              <td>
                <CellText
                  primary={
                    <Link
                      href={resourcePath(environment.slug, 'runs', run.id)}
                      aria-label={`Run details: ${STATUS_LABELS[run.status]}`}
                    >
                      <RunStatusBadge status={run.status} />
                    </Link>
                  }
                  secondary={
                    run.error ? (
                      <span className={styles.runError} title={run.error}>
                        {run.error}
                      </span>
                    ) : undefined
                  }
                />
              </td>
              {showFlow ? (
                <td>
                  <Link
                    className={cellStyles.nameLink}
                    href={resourcePath(environment.slug, 'flows', run.flow.id)}
                  >
                    {run.flow.name}
                  </Link>
                </td>
              ) : null}
              <td className={cellStyles.nowrap}>
                <CellText
                  primary={
                    <Link
                      className={cellStyles.nameLink}
                      href={resourcePath(environment.slug, 'runs', run.id)}
                      title={formatDateTime(at)}
                    >
                      {formatRelative(at, now)}
                    </Link>
                  }
                  secondary={run.startedAt ? undefined : 'waiting to start'}
                />
              </td>
              <td>
                <CellText primary={TRIGGER_LABELS[run.trigger]} secondary={run.triggeredBy ?? undefined} />
              </td>
              <td className={cellStyles.nowrap}>{duration === null ? '—' : formatDuration(duration)}</td>
              <td data-testid="run-read">{integer.format(run.counts.read)}</td>
              <td data-testid="run-written">{integer.format(run.counts.written)}</td>
              <td data-testid="run-failed" className={run.counts.failed > 0 ? cellStyles.danger : undefined}>
                {integer.format(run.counts.failed)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
