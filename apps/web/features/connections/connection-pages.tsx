'use client';

import type { Connection } from '@outpost/protocol/rest/connections';
import { ButtonLink } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import { ConnectionIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApiQuery } from '@/lib/use-api-query';
import { ConnectionForm } from './connection-form';
import { connectionsPath } from './paths';

/** Resources → Connections → Create connection. */
export function NewConnectionPage() {
  const { me } = useMe();
  const environment = useEnvironment();
  if (!permissionsOf(me).manage) {
    return (
      <>
        <PageHeader eyebrow="Resources" title="New connection" />
        <Panel>
          <EmptyState
            icon={<ConnectionIcon size={22} />}
            title="Your role cannot create connections"
            description="An owner, admin or manager of the account can create one."
            actions={<ButtonLink href={connectionsPath(environment.slug)}>Back to connections</ButtonLink>}
          />
        </Panel>
      </>
    );
  }
  return <ConnectionForm readOnly={false} />;
}

/** One connection, to change and test; read-only for MONITOR. */
export function EditConnectionPage({ connectionId }: { connectionId: string }) {
  const { me } = useMe();
  const environment = useEnvironment();
  const connection = useApiQuery<Connection>(`/v1/connections/${encodeURIComponent(connectionId)}`);
  const missing = connection.error && (connection.error.status === 404 || connection.error.status === 400);

  if (connection.data)
    return <ConnectionForm initial={connection.data} readOnly={!permissionsOf(me).manage} />;
  return (
    <>
      <PageHeader eyebrow="Resources" title="Connection" />
      <Panel>
        {missing ? (
          <EmptyState
            icon={<ConnectionIcon size={22} />}
            title="Connection not found"
            description={`There is no such connection in ${environment.name}: it may have been deleted, or belong to another environment.`}
            actions={<ButtonLink href={connectionsPath(environment.slug)}>Back to connections</ButtonLink>}
          />
        ) : (
          <QueryView query={connection} what="the connection">
            {() => null}
          </QueryView>
        )}
      </Panel>
    </>
  );
}
