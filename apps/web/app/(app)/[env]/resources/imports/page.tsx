import type { Metadata } from 'next';
import { ImportIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Imports' };

export default function ImportsPage() {
  return (
    <ResourcePlaceholder
      title="Imports"
      summary="Write records to a connection."
      icon={<ImportIcon size={22} />}
      emptyTitle="No imports yet"
      explanation="An import writes records to one connection: inserts and updates in a database, or calls to an HTTP API. Like exports, imports work the same over Cloud and On-premise connections."
    />
  );
}
