'use client';

import type { ConnectionMode, ConnectionType } from '@outpost/protocol/rest/connections';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Badge } from '@/components/badge';
import { cellStyles, Table } from '@/components/table';
import { useEnvironment } from '@/lib/environment';
import { formatRelative } from '@/lib/format';
import { ConnectionCell, settingsKindOf } from './connection-ref';
import { resourcePath } from './resource-paths';
import { ActionsHeader, ResourceRowActions } from './resource-row-actions';

interface ConnectionResource {
  id: string;
  name: string;
  connection: { name: string; type: ConnectionType; mode: ConnectionMode };
  updatedAt: string;
}

/**
 * Exports and imports: the name, the connection with its mode (Cloud or On-premise), the kind of
 * settings (HTTP or SQL) with a detail, the last change, and Actions.
 */
export function ConnectionResourcesTable<T extends ConnectionResource>({
  kind,
  label,
  items,
  detail,
  onDelete,
}: {
  kind: 'exports' | 'imports';
  label: string;
  items: T[];
  /** After the kind, e.g. "incremental" or "batched". */
  detail: (item: T) => ReactNode;
  onDelete: ((item: T) => void) | undefined;
}) {
  const environment = useEnvironment();
  return (
    <Table label={label}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Connection</th>
          <th scope="col">Kind</th>
          <th scope="col">Updated</th>
          {onDelete ? <ActionsHeader /> : null}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => {
          const href = resourcePath(environment.slug, kind, item.id);
          return (
            <tr key={item.id} data-testid={`${kind.slice(0, -1)}-${item.name}`}>
              <td>
                <Link className={cellStyles.nameLink} href={href}>
                  {item.name}
                </Link>
              </td>
              <td>
                <ConnectionCell connection={item.connection} />
              </td>
              <td className={cellStyles.nowrap}>
                <Badge>{settingsKindOf(item.connection.type)}</Badge>{' '}
                <span className={cellStyles.muted}>{detail(item)}</span>
              </td>
              <td className={cellStyles.nowrap} title={item.updatedAt}>
                {formatRelative(item.updatedAt)}
              </td>
              {onDelete ? (
                <ResourceRowActions name={item.name} href={href} onDelete={() => onDelete(item)} />
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
