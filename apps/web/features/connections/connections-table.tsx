'use client';

import type { AgentStatus } from '@outpost/protocol/rest/agents';
import type { Connection } from '@outpost/protocol/rest/connections';
import Link from 'next/link';
import { Badge } from '@/components/badge';
import { MenuItem, MenuSeparator } from '@/components/menu';
import { RowActions } from '@/components/row-actions';
import { CellText, cellStyles, Table } from '@/components/table';
import { useEnvironment } from '@/lib/environment';
import { endpointOf } from './addresses';
import { AgentCell } from './agent-cell';
import { MODE_LABELS, TYPE_LABELS } from './connection-draft';
import styles from './connections.module.css';
import { connectionPath } from './paths';

export interface ConnectionRowActions {
  onEdit: (connection: Connection) => void;
  onTest: (connection: Connection) => void;
  onDelete: (connection: Connection) => void;
}

/** Name, type, mode, the agent with its live status, where it points, and Actions. */
export function ConnectionsTable({
  connections,
  statusOf,
  actions,
}: {
  connections: Connection[];
  statusOf: (agent: { id: string; status: AgentStatus }) => AgentStatus;
  /** Without them (MONITOR) there is no Actions column. */
  actions: ConnectionRowActions | undefined;
}) {
  const environment = useEnvironment();
  return (
    <Table label="Connections">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Mode</th>
          <th scope="col">Agent</th>
          <th scope="col">Base URI or host</th>
          {actions ? (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {connections.map((connection) => {
          const agentStatus = connection.agent ? statusOf(connection.agent) : undefined;
          const auth = connection.http?.auth;
          const endpoint = endpointOf(connection);
          return (
            <tr
              key={connection.id}
              data-testid={`connection-${connection.name}`}
              data-mode={connection.mode}
              data-agent-status={agentStatus}
            >
              <td>
                <Link className={cellStyles.nameLink} href={connectionPath(environment.slug, connection.id)}>
                  {connection.name}
                </Link>
              </td>
              <td className={cellStyles.nowrap}>{TYPE_LABELS[connection.type]}</td>
              <td>
                <Badge tone={connection.mode === 'ON_PREMISE' ? 'accent' : 'neutral'}>
                  {MODE_LABELS[connection.mode]}
                </Badge>
              </td>
              <td>
                {connection.mode === 'ON_PREMISE' && connection.agent && agentStatus ? (
                  <AgentCell name={connection.agent.name} status={agentStatus} />
                ) : (
                  <span className={cellStyles.muted} title="Runs in Outpost's cloud">
                    —
                  </span>
                )}
              </td>
              <td>
                <CellText
                  primary={
                    <span className={`${cellStyles.mono} ${styles.endpoint}`} title={endpoint}>
                      {endpoint}
                    </span>
                  }
                  secondary={
                    auth?.type === 'oauth2_authorization_code' && !auth.connected ? (
                      <span className={styles.warningText}>OAuth 2.0: not connected yet</span>
                    ) : undefined
                  }
                />
              </td>
              {actions ? (
                <td>
                  <RowActions name={connection.name}>
                    <MenuItem onSelect={() => actions.onEdit(connection)}>Edit</MenuItem>
                    <MenuItem onSelect={() => actions.onTest(connection)}>Test connection</MenuItem>
                    <MenuSeparator />
                    <MenuItem tone="danger" onSelect={() => actions.onDelete(connection)}>
                      Delete
                    </MenuItem>
                  </RowActions>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
