'use client';

import type { AuditEvent } from '@outpost/protocol/rest/audit';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import { ListIcon, RefreshIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { AdminOnly } from '@/features/shell/admin-only';
import { QueryView } from '@/features/shell/query-view';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/me';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { AuditTable } from './audit-table';

const PAGE_SIZE = 50;

interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export function AuditLogPage() {
  return (
    <>
      <PageHeader
        eyebrow="Account settings"
        title="Audit log"
        description="Who did what, when and from where: sign-ins, tokens shown and generated, resources created, changed and deleted."
      />
      <AdminOnly what="the audit log">
        <AuditLog />
      </AdminOnly>
    </>
  );
}

function AuditLog() {
  const { me } = useMe();
  const api = useApi();
  const firstPage = useApiQuery<AuditPage>(`/v1/audit-events?limit=${PAGE_SIZE}`);
  // Later pages, appended below the first; a reload starts again from the newest event.
  const [older, setOlder] = useState<AuditPage[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();

  const lastPage = older.at(-1) ?? firstPage.data;
  const nextCursor = lastPage?.nextCursor ?? null;

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.get<AuditPage>(
        `/v1/audit-events?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(nextCursor)}`,
      );
      setOlder((pages) => [...pages, page]);
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setLoadingMore(false);
    }
  }

  function refresh() {
    setOlder([]);
    setMoreError(undefined);
    firstPage.reload();
  }

  return (
    <Panel
      title="Events"
      actions={
        <Button size="small" variant="ghost" onClick={refresh}>
          <RefreshIcon size={14} />
          Refresh
        </Button>
      }
      footer={
        nextCursor ? (
          <Button onClick={() => void loadMore()} busy={loadingMore}>
            Load more
          </Button>
        ) : null
      }
    >
      <QueryView query={firstPage} what="the audit log">
        {(page) => {
          const events = [page, ...older].flatMap(({ items }) => items);
          if (events.length === 0) {
            return (
              <EmptyState
                icon={<ListIcon size={22} />}
                title="No events yet"
                description="Sign-ins, tokens shown and generated, and every change to a resource will appear here."
              />
            );
          }
          return <AuditTable events={events} environments={me.environments} />;
        }}
      </QueryView>
      {moreError ? (
        <div style={{ padding: 16 }}>
          <Alert tone="danger">{moreError}</Alert>
        </div>
      ) : null}
    </Panel>
  );
}
