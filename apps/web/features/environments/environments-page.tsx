'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import type { EnvironmentUsage } from '@outpost/protocol/rest/environments';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { MigrationPanel } from '@/features/migration/migration-panel';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { HOME_PATH } from '@/lib/paths';
import { permissionsOf } from '@/lib/permissions';
import { useApiQuery } from '@/lib/use-api-query';
import { CreateEnvironmentDialog } from './create-environment-dialog';
import { DeleteEnvironmentDialog } from './delete-environment-dialog';
import { EnvironmentUsageTable } from './environment-usage-table';
import styles from './environments.module.css';
import { EnvironmentsTable } from './environments-table';
import { RenameEnvironmentDialog } from './rename-environment-dialog';

export function EnvironmentsPage() {
  const { me, reload: reloadMe } = useMe();
  const current = useEnvironment();
  const toast = useToast();
  const environments = useApiQuery<{ items: Environment[] }>('/v1/environments');
  const usage = useApiQuery<{ items: EnvironmentUsage[] }>('/v1/environments/usage');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Environment>();
  const [deleting, setDeleting] = useState<EnvironmentUsage>();
  const legacy = me.account.license === 'LEGACY';
  const canAdminister = !legacy && permissionsOf(me).administer;

  function changed() {
    environments.reload();
    usage.reload();
    void reloadMe();
  }

  function askToDelete(environment: Environment) {
    const found = usage.data?.items.find((item) => item.environment.id === environment.id);
    if (found) setDeleting(found);
    else toast('Still counting what the environment holds; try again in a moment', 'danger');
  }

  return (
    <>
      <PageHeader
        eyebrow="Account settings"
        title="Environments"
        description={
          legacy
            ? 'Production and Sandbox, on the legacy Production/Sandbox license.'
            : 'Each environment keeps its own agents, connections, flows and API tokens, isolated from the others.'
        }
        actions={
          canAdminister ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              <PlusIcon size={15} />
              Create environment
            </Button>
          ) : null
        }
      />
      {legacy ? (
        <Alert tone="info" title="Your account is on the legacy Production/Sandbox license">
          In legacy Production and Sandbox environments, changes in one environment affect both environments.
          Accounts on the multi-environment license keep isolated resources in each environment and can add
          more environments.
        </Alert>
      ) : null}
      <div className={styles.stack}>
        <MigrationPanel />
        <Panel>
          <QueryView query={environments} what="environments">
            {({ items }) => (
              <EnvironmentsTable
                environments={items}
                current={current.slug}
                {...(canAdminister ? { actions: { onRename: setRenaming, onDelete: askToDelete } } : {})}
              />
            )}
          </QueryView>
        </Panel>
        <Panel title="Limits per environment">
          <QueryView query={usage} what="limits per environment">
            {({ items }) => <EnvironmentUsageTable usage={items} shared={legacy} />}
          </QueryView>
        </Panel>
      </div>
      <CreateEnvironmentDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(environment) => {
          changed();
          toast(`${environment.name} was created`);
        }}
      />
      {renaming ? (
        <RenameEnvironmentDialog
          key={renaming.id}
          environment={renaming}
          onClose={() => setRenaming(undefined)}
          onRenamed={(environment) => {
            changed();
            toast(`${renaming.name} is now called ${environment.name}`);
          }}
        />
      ) : null}
      {deleting ? (
        <DeleteEnvironmentDialog
          key={deleting.environment.id}
          usage={deleting}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            // Nothing of a deleted environment may stay on screen: leave it when it was this one.
            if (deleting.environment.slug === current.slug) {
              window.location.assign(HOME_PATH);
              return;
            }
            changed();
            toast(`${deleting.environment.name} was deleted`);
          }}
        />
      ) : null}
    </>
  );
}
