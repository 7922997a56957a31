'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { Badge } from '@/components/badge';
import { ButtonLink } from '@/components/button';
import { MenuItem, MenuSeparator } from '@/components/menu';
import { RowActions } from '@/components/row-actions';
import { CellActions, cellStyles, Table } from '@/components/table';
import { EnvironmentDot } from '@/features/shell/environment-dot';
import { formatDate } from '@/lib/format';
import { environmentPath } from '@/lib/paths';
import { isBuiltIn } from './usage';

export interface EnvironmentRowActions {
  onRename: (environment: Environment) => void;
  onDelete: (environment: Environment) => void;
}

/** The account's environments; admins rename and delete the ones beside Production and Sandbox. */
export function EnvironmentsTable({
  environments,
  current,
  actions,
}: {
  environments: Environment[];
  current: string;
  /** Given to admins of multi-environment accounts. */
  actions?: EnvironmentRowActions;
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
          <tr key={environment.id} data-testid={`environment-${environment.slug}`}>
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
                {actions && !isBuiltIn(environment.slug) ? (
                  <RowActions name={environment.name}>
                    <MenuItem onSelect={() => actions.onRename(environment)}>Rename</MenuItem>
                    <MenuSeparator />
                    <MenuItem tone="danger" onSelect={() => actions.onDelete(environment)}>
                      Delete
                    </MenuItem>
                  </RowActions>
                ) : null}
              </CellActions>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
