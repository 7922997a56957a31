'use client';

import type { Script } from '@outpost/protocol/rest/scripts';
import Link from 'next/link';
import { Badge } from '@/components/badge';
import { ScriptIcon } from '@/components/icons';
import { CellText, cellStyles, Table } from '@/components/table';
import { ResourceListPage, type ResourceTableProps } from '@/features/resources/resource-list-page';
import { resourcePath } from '@/features/resources/resource-paths';
import { ActionsHeader, ResourceRowActions } from '@/features/resources/resource-row-actions';
import { useEnvironment } from '@/lib/environment';
import { formatRelative } from '@/lib/format';
import { KIND_LABELS } from './script-draft';

/** Resources → Scripts: name, kind (Transform or Filter) and last change. */
export function ScriptsPage() {
  return (
    <ResourceListPage<Script>
      kind="scripts"
      title="Scripts"
      noun="script"
      description="JavaScript that changes or filters each record between a flow's export and its imports."
      empty={{
        icon: <ScriptIcon size={22} />,
        title: 'No scripts yet',
        description:
          'A script is a JavaScript function, transform(record) or filter(record), that runs on every record of a flow in a sandbox with CPU and memory limits and no network.',
      }}
      table={(props) => <ScriptsTable {...props} />}
      deleteNote="A script a flow uses is kept until the flow no longer uses it."
    />
  );
}

function ScriptsTable({ items, onDelete }: ResourceTableProps<Script>) {
  const environment = useEnvironment();
  return (
    <Table label="Scripts">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col">Updated</th>
          {onDelete ? <ActionsHeader /> : null}
        </tr>
      </thead>
      <tbody>
        {items.map((script) => {
          const href = resourcePath(environment.slug, 'scripts', script.id);
          return (
            <tr key={script.id} data-testid={`script-${script.name}`}>
              <td>
                <CellText
                  primary={
                    <Link className={cellStyles.nameLink} href={href}>
                      {script.name}
                    </Link>
                  }
                  secondary={script.description || undefined}
                />
              </td>
              <td>
                <Badge tone={script.kind === 'FILTER' ? 'warning' : 'accent'}>
                  {KIND_LABELS[script.kind]}
                </Badge>
              </td>
              <td className={cellStyles.nowrap} title={script.updatedAt}>
                {formatRelative(script.updatedAt)}
              </td>
              {onDelete ? (
                <ResourceRowActions name={script.name} href={href} onDelete={() => onDelete(script)} />
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
