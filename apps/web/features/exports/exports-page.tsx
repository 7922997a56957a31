'use client';

import type { Export } from '@outpost/protocol/rest/exports';
import { ExportIcon } from '@/components/icons';
import { ConnectionResourcesTable } from '@/features/resources/connection-resources-table';
import { ResourceListPage } from '@/features/resources/resource-list-page';
import { PAGINATION_LABELS } from './export-draft';

/** Resources → Exports: each export's connection (with its mode), kind and last change. */
export function ExportsPage() {
  return (
    <ResourceListPage<Export>
      kind="exports"
      title="Exports"
      noun="export"
      description="What to read from a connection: an HTTP request page by page, or a SQL query. Flows start with one."
      empty={{
        icon: <ExportIcon size={22} />,
        title: 'No exports yet',
        description:
          'An export reads records from one connection: a SQL query or an HTTP request, page by page. Exports that use an On-premise connection need no extra settings: the data moves through the agent.',
      }}
      table={({ items, onDelete }) => (
        <ConnectionResourcesTable
          kind="exports"
          label="Exports"
          items={items}
          onDelete={onDelete}
          detail={(item) =>
            item.sql
              ? item.sql.incremental
                ? 'incremental'
                : 'query'
              : `${item.http?.method ?? ''} · pages: ${PAGINATION_LABELS[item.http?.pagination.type ?? 'none'].toLowerCase()}`
          }
        />
      )}
      deleteNote="An export a flow uses is kept until the flow no longer uses it."
    />
  );
}
