'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApiQuery } from '@/lib/use-api-query';
import { CreateEnvironmentDialog } from './create-environment-dialog';
import { EnvironmentsTable } from './environments-table';

export function EnvironmentsPage() {
  const { me, reload: reloadMe } = useMe();
  const current = useEnvironment();
  const toast = useToast();
  const environments = useApiQuery<{ items: Environment[] }>('/v1/environments');
  const [creating, setCreating] = useState(false);
  const legacy = me.account.license === 'LEGACY';
  const canCreate = !legacy && permissionsOf(me).administer;

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
          canCreate ? (
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
      <Panel>
        <QueryView query={environments} what="environments">
          {({ items }) => <EnvironmentsTable environments={items} current={current.slug} />}
        </QueryView>
      </Panel>
      <CreateEnvironmentDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(environment) => {
          environments.update(({ items }) => ({ items: [...items, environment] }));
          void reloadMe();
          toast(`${environment.name} was created`);
        }}
      />
    </>
  );
}
