'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import type { AuditEvent } from '@outpost/protocol/rest/audit';
import { Badge } from '@/components/badge';
import { CellText, cellStyles, Table } from '@/components/table';
import { formatDateTime, formatRelative } from '@/lib/format';
import { describeAuditAction } from './audit-action';

const ACTOR_TYPES: Record<AuditEvent['actor']['type'], string> = {
  user: 'Person',
  api_token: 'API token',
  agent: 'Agent',
  system: 'Outpost',
};

export function AuditTable({
  events,
  environments,
}: {
  events: AuditEvent[];
  environments: Pick<Environment, 'id' | 'name'>[];
}) {
  const environmentName = (id: string | null) =>
    id ? (environments.find((environment) => environment.id === id)?.name ?? 'Deleted environment') : '—';
  return (
    <Table label="Audit log">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Environment</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td>
              <time dateTime={event.createdAt} title={formatDateTime(event.createdAt)}>
                <CellText
                  primary={formatRelative(event.createdAt)}
                  secondary={formatDateTime(event.createdAt)}
                />
              </time>
            </td>
            <td>
              <CellText
                primary={event.actor.label ?? event.actor.id ?? 'Unknown'}
                secondary={ACTOR_TYPES[event.actor.type]}
              />
            </td>
            <td>
              <CellText primary={describeAuditAction(event.action)} secondary={<code>{event.action}</code>} />
            </td>
            <td>{event.environmentId ? <Badge>{environmentName(event.environmentId)}</Badge> : '—'}</td>
            <td className={cellStyles.mono}>{event.ipAddress ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
