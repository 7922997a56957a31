'use client';

import type { MigrationReport } from '@outpost/protocol/rest/migrations';
import { ButtonLink } from '@/components/button';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { AdminOnly } from '@/features/shell/admin-only';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { formatDateTime } from '@/lib/format';
import { environmentPath } from '@/lib/paths';
import { useApiQuery } from '@/lib/use-api-query';
import { actionsLeft } from './labels';
import styles from './migration.module.css';
import { MigrationItemsTable } from './migration-items-table';
import { MigrationSummaryFigures } from './migration-summary-figures';

/** The kept report of the migration: every resource, its outcome, and what is left to do. */
export function MigrationReportPage({ id }: { id: string }) {
  const environment = useEnvironment();
  return (
    <>
      <PageHeader
        eyebrow="Account settings"
        title="Migration report"
        description="The account moved from the legacy Production/Sandbox license to multiple environments."
        actions={
          <ButtonLink href={environmentPath(environment.slug, 'settings/environments')}>
            Back to Environments
          </ButtonLink>
        }
      />
      <AdminOnly what="the migration report">
        <Report id={id} />
      </AdminOnly>
    </>
  );
}

function Report({ id }: { id: string }) {
  const report = useApiQuery<MigrationReport>(`/v1/account/migrations/${id}`);
  return (
    <QueryView query={report} what="the migration report">
      {(data) => {
        const todo = actionsLeft(data.items);
        return (
          <div className={styles.stack} data-testid="migration-report">
            <Panel
              title={`Migrated on ${formatDateTime(data.createdAt)}${data.startedBy ? ` by ${data.startedBy.email}` : ''}`}
            >
              <div className={styles.body}>
                <ul className={styles.list}>
                  {data.notes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
                <MigrationSummaryFigures items={data.items} />
              </div>
            </Panel>
            <Panel title={`Left to do (${todo.length})`}>
              <div className={styles.body}>
                {todo.length === 0 ? (
                  <p>Nothing: every copy works as it is.</p>
                ) : (
                  <ul className={styles.list} data-testid="migration-actions">
                    {todo.map((item) => (
                      <li key={`${item.environment}-${item.sourceId ?? item.id}`}>{item.action}</li>
                    ))}
                  </ul>
                )}
              </div>
            </Panel>
            <Panel title="Resources">
              {data.items.length === 0 ? (
                <p className={styles.body}>The account held no resources: Sandbox started empty.</p>
              ) : (
                <MigrationItemsTable items={data.items} />
              )}
            </Panel>
          </div>
        );
      }}
    </QueryView>
  );
}
