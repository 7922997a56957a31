import type { Metadata } from 'next';
import { ExportIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Exports' };

export default function ExportsPage() {
  return (
    <ResourcePlaceholder
      title="Exports"
      summary="Read records from a connection."
      icon={<ExportIcon size={22} />}
      emptyTitle="No exports yet"
      explanation="An export reads records from one connection: a SQL query or an HTTP request, page by page. Exports that use an on-premise connection need no extra settings; the data moves through the agent."
    />
  );
}
