'use client';

import type { ApiToken } from '@outpost/protocol/rest/api-tokens';
import { Badge } from '@/components/badge';
import { MenuItem, MenuSeparator } from '@/components/menu';
import { RowActions } from '@/components/row-actions';
import { CellText, cellStyles, Table } from '@/components/table';
import { TokenCell } from '@/components/token-cell';
import { formatDateTime, formatRelative } from '@/lib/format';
import { ROLE_LABELS } from '@/lib/roles';

export interface ApiTokenRowActions {
  onShow: (token: ApiToken) => void;
  onHide: (token: ApiToken) => void;
  onEdit: (token: ApiToken) => void;
  onGenerate: (token: ApiToken) => void;
  onDelete: (token: ApiToken) => void;
}

export function ApiTokensTable({
  tokens,
  revealed,
  revealing,
  actions,
}: {
  tokens: ApiToken[];
  /** Tokens shown in full, by API token id. */
  revealed: Record<string, string>;
  /** The id whose Show token is in flight. */
  revealing: string | undefined;
  actions: ApiTokenRowActions;
}) {
  return (
    <Table label="API tokens">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Environment</th>
          <th scope="col">Token</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id} data-testid={`api-token-${token.name}`}>
            <td>
              <CellText primary={token.name} secondary={`Created ${formatRelative(token.createdAt)}`} />
            </td>
            <td>
              <Badge>{ROLE_LABELS[token.role]}</Badge>
            </td>
            <td>{token.environment.name}</td>
            <td>
              <TokenCell
                name={token.name}
                last4={token.tokenLast4}
                revealed={revealed[token.id]}
                loading={revealing === token.id}
                onShow={() => actions.onShow(token)}
                onHide={() => actions.onHide(token)}
              />
            </td>
            <td className={cellStyles.muted}>
              {token.lastUsedAt ? (
                <time dateTime={token.lastUsedAt} title={formatDateTime(token.lastUsedAt)}>
                  {formatRelative(token.lastUsedAt)}
                </time>
              ) : (
                'Never'
              )}
            </td>
            <td>
              <RowActions name={token.name}>
                <MenuItem onSelect={() => actions.onEdit(token)}>Edit</MenuItem>
                <MenuItem onSelect={() => actions.onGenerate(token)}>Generate token</MenuItem>
                <MenuSeparator />
                <MenuItem tone="danger" onSelect={() => actions.onDelete(token)}>
                  Delete
                </MenuItem>
              </RowActions>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
