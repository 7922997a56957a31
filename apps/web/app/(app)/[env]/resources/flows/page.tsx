import type { Metadata } from 'next';
import { FlowIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Flows' };

export default function FlowsPage() {
  return (
    <ResourcePlaceholder
      title="Flows"
      summary="Move data from an export, through a script, into an import."
      icon={<FlowIcon size={22} />}
      emptyTitle="No flows yet"
      explanation="A flow chains an export, an optional script and an import, and keeps a record of every run: how many records moved, how long it took and what failed."
    />
  );
}
