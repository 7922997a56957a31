'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { Badge } from '@/components/badge';
import { ButtonLink } from '@/components/button';
import { CellActions, cellStyles, Table } from '@/components/table';
import { EnvironmentDot } from '@/features/shell/environment-dot';
import { formatDate } from '@/lib/format';
import { environmentPath } from '@/lib/paths';

export function EnvironmentsTable({
  environments,
  current,
}: {
  environments: Environment[];
  current: string;
}) {
  return (
    <Table label="Environments">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Slug</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {environments.map((environment) => (
          <tr key={environment.id}>
            <td>
              <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8, fontWeight: 600 }}>
                <EnvironmentDot slug={environment.slug} />
                {environment.name}
                {environment.slug === current ? <Badge tone="accent">Current</Badge> : null}
              </span>
            </td>
            <td className={cellStyles.mono}>{environment.slug}</td>
            <td className={cellStyles.muted}>{formatDate(environment.createdAt)}</td>
            <td>
              <CellActions>
                {environment.slug === current ? null : (
                  <ButtonLink size="small" href={environmentPath(environment.slug, 'settings/environments')}>
                    Open
                  </ButtonLink>
                )}
              </CellActions>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
