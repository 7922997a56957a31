'use client';

import { type ReactNode, useState } from 'react';
import { ButtonLink } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { EmptyState, emptyStateStyles } from '@/components/empty-state';
import { PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { type ApiQuery, useApiQuery } from '@/lib/use-api-query';
import { newResourcePath, type ResourceKind } from './resource-paths';

interface Named {
  id: string;
  name: string;
}

export interface ResourceTableProps<T extends Named> {
  items: T[];
  /** The list as loaded, to change a row in place after an action the API confirmed. */
  query: ApiQuery<{ items: T[] }>;
  /** Delete, asked first; undefined for roles that may not change anything (no Actions column). */
  onDelete: ((item: T) => void) | undefined;
}

/**
 * Resources → Exports, Imports, Scripts, Flows: what the resource is, Create, the table (or the
 * empty state saying what one is), and Delete asked first. A resource in use is not deleted: the
 * API's 409 names its users in the dialog.
 */
export function ResourceListPage<T extends Named>({
  kind,
  title,
  description,
  noun,
  empty,
  table,
  deleteNote,
}: {
  kind: Exclude<ResourceKind, 'runs'>;
  title: string;
  description: string;
  /** "export", for Create export and Delete export? */
  noun: string;
  empty: { icon: ReactNode; title: string; description: ReactNode; children?: ReactNode };
  table: (props: ResourceTableProps<T>) => ReactNode;
  /** What deleting it means: "Flows that use it must be changed first." */
  deleteNote: string;
}) {
  const { me } = useMe();
  const manage = permissionsOf(me).manage;
  const environment = useEnvironment();
  const api = useApi();
  const toast = useToast();
  const query = useApiQuery<{ items: T[] }>(`/v1/${kind}`);
  const [deleting, setDeleting] = useState<T>();

  async function remove(item: T) {
    await api.delete(`/v1/${kind}/${item.id}`);
    query.update(({ items }) => ({ items: items.filter((other) => other.id !== item.id) }));
    toast(`${item.name} was deleted`);
  }

  const createButton = manage ? (
    <ButtonLink variant="primary" href={newResourcePath(environment.slug, kind)}>
      <PlusIcon size={15} />
      Create {noun}
    </ButtonLink>
  ) : undefined;
  const isEmpty = query.data?.items.length === 0;

  return (
    <>
      <PageHeader
        eyebrow="Resources"
        title={title}
        description={description}
        actions={isEmpty ? undefined : createButton}
      />
      <Panel>
        <QueryView query={query} what={title.toLowerCase()}>
          {({ items }) =>
            items.length === 0 ? (
              <EmptyState
                icon={empty.icon}
                title={empty.title}
                description={empty.description}
                actions={createButton}
              >
                {empty.children}
                {createButton ? null : (
                  <p className={emptyStateStyles.note}>
                    An owner, admin or manager of the account can create one.
                  </p>
                )}
              </EmptyState>
            ) : (
              table({ items, query, onDelete: manage ? setDeleting : undefined })
            )
          }
        </QueryView>
      </Panel>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${noun}?`}
        confirmLabel={`Delete ${noun}`}
        tone="danger"
        onClose={() => setDeleting(undefined)}
        onConfirm={async () => {
          if (deleting) await remove(deleting);
        }}
      >
        <strong>{deleting?.name}</strong> is deleted. {deleteNote}
      </ConfirmDialog>
    </>
  );
}
