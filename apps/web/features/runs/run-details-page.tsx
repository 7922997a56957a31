'use client';

import type { FlowRun, FlowRunSummary } from '@outpost/protocol/rest/runs';
import Link from 'next/link';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { ActivityIcon, CloseIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { useNow } from '@/features/agents/use-now';
import { ResourceLoader } from '@/features/resources/resource-pages';
import { resourcePath, resourcesPath } from '@/features/resources/resource-paths';
import { errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { formatDateTime } from '@/lib/format';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { RunErrors } from './run-errors';
import { formatDuration, isActive, runDuration, TRIGGER_LABELS } from './run-format';
import { RunLogs } from './run-logs';
import { RunStatusBadge } from './run-status';
import styles from './runs.module.css';

const integer = new Intl.NumberFormat('en');

/** Resources → Runs → one run: its summary, the records that failed, and its log; Cancel while it runs. */
export function RunDetailsPage({ id }: { id: string }) {
  return (
    <ResourceLoader<FlowRun>
      id={id}
      words={{ kind: 'runs', title: 'Run', plural: 'Runs', noun: 'run', icon: ActivityIcon }}
      poll={(run) => isActive(run.status)}
    >
      {(run, reload) => <RunDetails run={run} reload={reload} />}
    </ResourceLoader>
  );
}

function RunDetails({ run, reload }: { run: FlowRun; reload: () => void }) {
  const { me } = useMe();
  const api = useApi();
  const toast = useToast();
  const environment = useEnvironment();
  const now = useNow(1000);
  const [cancelling, setCancelling] = useState(false);
  const active = isActive(run.status);
  const duration = runDuration(run, now);

  async function cancel() {
    setCancelling(true);
    try {
      await api.post<FlowRunSummary>(`/v1/runs/${run.id}/cancel`);
      reload();
    } catch (error) {
      toast(errorMessage(error), 'danger');
    } finally {
      setCancelling(false);
    }
  }

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            Resources / <Link href={resourcesPath(environment.slug, 'runs')}>Runs</Link>
          </>
        }
        title={
          <>
            Run of <Link href={resourcePath(environment.slug, 'flows', run.flow.id)}>{run.flow.name}</Link>
          </>
        }
        description={
          <span className={styles.headline}>
            <RunStatusBadge status={run.status} />
            <span>
              {TRIGGER_LABELS[run.trigger]}
              {run.triggeredBy ? ` by ${run.triggeredBy}` : ''}, {formatDateTime(run.createdAt)}
            </span>
            {run.cancelRequested && active ? <span>Cancelling…</span> : null}
          </span>
        }
        actions={
          permissionsOf(me).manage && active ? (
            <Button
              variant="danger"
              onClick={() => void cancel()}
              busy={cancelling}
              disabled={run.cancelRequested}
            >
              {cancelling ? null : <CloseIcon size={15} />}
              {run.cancelRequested ? 'Cancelling…' : 'Cancel run'}
            </Button>
          ) : undefined
        }
      />
      {run.error ? (
        <div className={styles.spaced}>
          <Alert tone="danger" title="The run failed" data-testid="run-error">
            {run.error}
          </Alert>
        </div>
      ) : null}
      <div className={styles.spaced}>
        <Panel title="Summary">
          <dl className={styles.summary} data-testid="run-summary">
            <Fact label="Read" value={integer.format(run.counts.read)} testId="run-read" />
            <Fact label="Written" value={integer.format(run.counts.written)} testId="run-written" />
            <Fact
              label="Failed"
              value={integer.format(run.counts.failed)}
              testId="run-failed"
              tone={run.counts.failed > 0 ? 'danger' : undefined}
            />
            <Fact label="Pages" value={integer.format(run.pagesDone)} />
            <Fact label="Queued" value={formatDateTime(run.createdAt)} />
            <Fact label="Started" value={run.startedAt ? formatDateTime(run.startedAt) : '—'} />
            <Fact label="Finished" value={run.finishedAt ? formatDateTime(run.finishedAt) : '—'} />
            <Fact label="Duration" value={duration === null ? '—' : formatDuration(duration)} />
          </dl>
        </Panel>
      </div>
      <div className={styles.spaced}>
        <RunErrors run={run} />
      </div>
      <RunLogs logs={run.logs} />
    </>
  );
}

function Fact({
  label,
  value,
  testId,
  tone,
}: {
  label: string;
  value: string;
  testId?: string;
  tone?: 'danger';
}) {
  return (
    <div className={styles.fact}>
      <dt>{label}</dt>
      <dd data-testid={testId} className={tone === 'danger' ? styles.dangerValue : undefined}>
        {value}
      </dd>
    </div>
  );
}
