'use client';

import type { MigrationPreview, MigrationReport, MigrationSummary } from '@outpost/protocol/rest/migrations';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button, ButtonLink } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { environmentPath } from '@/lib/paths';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { actionsLeft } from './labels';
import styles from './migration.module.css';
import { MigrationItemsTable } from './migration-items-table';
import { MigrationSummaryFigures } from './migration-summary-figures';
import { migrationReportPath } from './paths';

/** Account settings → Migrate to multiple environments: what will happen, then the migration itself. */
export function MigrationPreviewPage() {
  const { me } = useMe();
  const environment = useEnvironment();
  const legacy = me.account.license === 'LEGACY';
  return (
    <>
      <PageHeader
        eyebrow="Account settings"
        title="Migrate to multiple environments"
        description="From the legacy Production/Sandbox license, where both share every resource, to environments of their own."
        actions={
          <ButtonLink href={environmentPath(environment.slug, 'settings/environments')}>
            Back to Environments
          </ButtonLink>
        }
      />
      {!permissionsOf(me).isOwner ? (
        <Alert tone="info" title="Only an owner can migrate the account">
          Your role in {me.account.name} does not allow it. Ask an owner of the account.
        </Alert>
      ) : legacy ? (
        <Preview />
      ) : (
        <AlreadyMigrated />
      )}
    </>
  );
}

function Preview() {
  const api = useApi();
  const router = useRouter();
  const { reload: reloadMe } = useMe();
  const environment = useEnvironment();
  const preview = useApiQuery<MigrationPreview>('/v1/account/migrations/preview');
  const [confirming, setConfirming] = useState(false);

  async function migrate() {
    const report = await api.post<MigrationReport>('/v1/account/migrations');
    // The account is multi-environment now: the shell shows the environment picker.
    await reloadMe();
    router.push(migrationReportPath(environment.slug, report.id));
  }

  return (
    <QueryView query={preview} what="the migration preview">
      {(data) => {
        const todo = actionsLeft(data.items);
        return (
          <div className={styles.stack}>
            <Panel
              title="What will happen"
              actions={
                <Button variant="primary" onClick={() => setConfirming(true)}>
                  Migrate {data.account.name}
                </Button>
              }
            >
              <div className={styles.body} data-testid="migration-notes">
                <ul className={styles.list}>
                  {data.notes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
                <MigrationSummaryFigures items={data.items} />
              </div>
            </Panel>
            <Panel title={`What you will need to do (${todo.length})`}>
              <div className={styles.body}>
                {todo.length === 0 ? (
                  <p>Nothing: every copy works as it is.</p>
                ) : (
                  <ul className={styles.list} data-testid="migration-todo">
                    {todo.map((item) => (
                      <li key={`${item.environment}-${item.sourceId ?? item.id}`}>{item.action}</li>
                    ))}
                  </ul>
                )}
              </div>
            </Panel>
            <Panel title="Every resource">
              {data.items.length === 0 ? (
                <p className={styles.body}>The account holds no resources yet: Sandbox starts empty.</p>
              ) : (
                <MigrationItemsTable items={data.items} />
              )}
            </Panel>
            <ConfirmDialog
              open={confirming}
              title={`Migrate ${data.account.name} to multiple environments?`}
              confirmLabel="Migrate"
              onConfirm={migrate}
              onClose={() => setConfirming(false)}
            >
              <p>
                Production keeps every resource as it is. Sandbox gets its own copies and new tokens for its
                agents and API tokens. The account cannot go back to the legacy license.
              </p>
            </ConfirmDialog>
          </div>
        );
      }}
    </QueryView>
  );
}

function AlreadyMigrated() {
  const environment = useEnvironment();
  const migrations = useApiQuery<{ items: MigrationSummary[] }>('/v1/account/migrations');
  return (
    <Alert tone="info" title="This account already uses multiple environments">
      <QueryView query={migrations} what="the migration">
        {({ items }) =>
          items[0] ? (
            <ButtonLink size="small" href={migrationReportPath(environment.slug, items[0].id)}>
              Open the migration report
            </ButtonLink>
          ) : (
            <span>It was created with them: there is nothing to migrate.</span>
          )
        }
      </QueryView>
    </Alert>
  );
}
