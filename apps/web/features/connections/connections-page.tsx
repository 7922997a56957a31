'use client';

import type { Connection, ConnectionList } from '@outpost/protocol/rest/connections';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ButtonLink } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import styles from './connections.module.css';
import { ConnectionsEmptyState } from './connections-empty-state';
import { ConnectionsTable } from './connections-table';
import { connectionPath, newConnectionPath } from './paths';
import { TestConnectionDialog } from './test-connection-dialog';
import { useLiveAgentStatuses } from './use-live-agent-statuses';

/** Resources → Connections: the list with each connection's mode and its agent's live status. */
export function ConnectionsPage() {
  const { me } = useMe();
  const permissions = permissionsOf(me);
  const environment = useEnvironment();
  const api = useApi();
  const toast = useToast();
  const router = useRouter();
  const connections = useApiQuery<ConnectionList>('/v1/connections');
  const agentStatuses = useLiveAgentStatuses(connections.reload);
  const [testing, setTesting] = useState<Connection>();
  const [deleting, setDeleting] = useState<Connection>();

  async function remove(connection: Connection) {
    await api.delete(`/v1/connections/${connection.id}`);
    connections.update(({ items }) => ({ items: items.filter((item) => item.id !== connection.id) }));
    toast(`${connection.name} was deleted`);
  }

  const createButton = permissions.manage ? (
    <ButtonLink variant="primary" href={newConnectionPath(environment.slug)}>
      <PlusIcon size={15} />
      Create connection
    </ButtonLink>
  ) : undefined;
  const isEmpty = connections.data?.items.length === 0;

  return (
    <>
      <PageHeader
        eyebrow="Resources"
        title="Connections"
        description="How Outpost reaches each of your systems, and with which credentials: directly from the cloud, or On-premise through one of your agents."
        actions={isEmpty ? undefined : createButton}
      />
      <Panel>
        <QueryView query={connections} what="connections">
          {({ items }) =>
            items.length === 0 ? (
              <ConnectionsEmptyState createButton={createButton} />
            ) : (
              <div className={styles.table}>
                <ConnectionsTable
                  connections={items}
                  statusOf={agentStatuses.statusOf}
                  actions={
                    permissions.manage
                      ? {
                          onEdit: (connection) =>
                            router.push(connectionPath(environment.slug, connection.id)),
                          onTest: setTesting,
                          onDelete: setDeleting,
                        }
                      : undefined
                  }
                />
              </div>
            )
          }
        </QueryView>
      </Panel>

      {testing ? (
        <TestConnectionDialog key={testing.id} connection={testing} onClose={() => setTesting(undefined)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete connection?"
        confirmLabel="Delete connection"
        tone="danger"
        onClose={() => setDeleting(undefined)}
        onConfirm={async () => {
          if (deleting) await remove(deleting);
        }}
      >
        <strong>{deleting?.name}</strong> and its stored credentials are deleted. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
