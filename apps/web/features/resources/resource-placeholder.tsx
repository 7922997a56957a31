import type { ReactNode } from 'react';
import { Badge } from '@/components/badge';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';

export interface ResourcePlaceholderProps {
  /** Plural, as in the navigation: "Connections". */
  title: string;
  /** One sentence under the title. */
  summary: string;
  icon: ReactNode;
  emptyTitle: string;
  /** What this resource is, for someone who has never made one. */
  explanation: ReactNode;
}

/** A resource list that has no page of its own yet: says what the resource is and that it is coming. */
export function ResourcePlaceholder({
  title,
  summary,
  icon,
  emptyTitle,
  explanation,
}: ResourcePlaceholderProps) {
  return (
    <>
      <PageHeader eyebrow="Resources" title={title} description={summary} />
      <Panel>
        <EmptyState icon={icon} title={emptyTitle} description={explanation}>
          <Badge tone="accent">Coming soon</Badge>
        </EmptyState>
      </Panel>
    </>
  );
}
