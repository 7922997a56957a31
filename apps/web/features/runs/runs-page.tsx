'use client';

import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { RunList } from './run-list';
import { useRunList } from './use-run-list';

/** Resources → Runs: every run of the environment's flows, newest first, refreshing while any runs. */
export function RunsPage() {
  const list = useRunList('/v1/runs');
  return (
    <>
      <PageHeader
        eyebrow="Resources"
        title="Runs"
        description="Every run of this environment's flows: started by Run now or by a schedule, with what it read, wrote and could not."
      />
      <Panel>
        <RunList
          list={list}
          showFlow
          empty="A run appears here when a flow is started, with Run now or on its schedule."
        />
      </Panel>
    </>
  );
}
