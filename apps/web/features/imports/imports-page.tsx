'use client';

import type { Import } from '@outpost/protocol/rest/imports';
import { ImportIcon } from '@/components/icons';
import { ConnectionResourcesTable } from '@/features/resources/connection-resources-table';
import { ResourceListPage } from '@/features/resources/resource-list-page';

/** Resources → Imports: each import's connection (with its mode), kind and last change. */
export function ImportsPage() {
  return (
    <ResourceListPage<Import>
      kind="imports"
      title="Imports"
      noun="import"
      description="How to write records to a connection: HTTP requests, or rows into a database table. Flows end with one or more."
      empty={{
        icon: <ImportIcon size={22} />,
        title: 'No imports yet',
        description:
          'An import writes records to one connection: HTTP requests (one per record or batched) or rows inserted or upserted into a table. Imports that use an On-premise connection need no extra settings: the data moves through the agent.',
      }}
      table={({ items, onDelete }) => (
        <ConnectionResourcesTable
          kind="imports"
          label="Imports"
          items={items}
          onDelete={onDelete}
          detail={(item) =>
            item.sql
              ? `${item.sql.mode} into ${item.sql.table}`
              : `${item.http?.method ?? ''} · ${item.http?.mode === 'record' ? 'per record' : 'batched'}`
          }
        />
      )}
      deleteNote="An import a flow uses is kept until the flow no longer uses it."
    />
  );
}
