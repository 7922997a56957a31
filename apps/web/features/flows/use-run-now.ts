'use client';

import type { FlowRunSummary } from '@outpost/protocol/rest/runs';
import { useState } from 'react';
import { useToast } from '@/components/toast';
import { errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';

/** Run now: queues a run of the flow (202) and says so; `running` names the flow while it asks. */
export function useRunNow(onQueued: (run: FlowRunSummary) => void) {
  const api = useApi();
  const toast = useToast();
  const [starting, setStarting] = useState<string>();

  async function runNow(flow: { id: string; name: string }) {
    setStarting(flow.id);
    try {
      const run = await api.post<FlowRunSummary>(`/v1/flows/${flow.id}/runs`);
      toast(`${flow.name}: run queued`);
      onQueued(run);
    } catch (error) {
      toast(errorMessage(error), 'danger');
    } finally {
      setStarting(undefined);
    }
  }

  return { runNow, starting };
}
