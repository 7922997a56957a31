import type { Metadata } from 'next';
import { ScriptIcon } from '@/components/icons';
import { ResourcePlaceholder } from '@/features/resources/resource-placeholder';

export const metadata: Metadata = { title: 'Scripts' };

export default function ScriptsPage() {
  return (
    <ResourcePlaceholder
      title="Scripts"
      summary="Reshape records between an export and an import."
      icon={<ScriptIcon size={22} />}
      emptyTitle="No scripts yet"
      explanation="A script is a small JavaScript function that receives the records of an export and returns what the import should write: rename fields, filter, compute values."
    />
  );
}
