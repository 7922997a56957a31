import type { FlowRunStatus, FlowRunSummary } from '@outpost/protocol/rest/runs';

export const STATUS_LABELS: Record<FlowRunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const TRIGGER_LABELS: Record<FlowRunSummary['trigger'], string> = {
  manual: 'Run now',
  schedule: 'Schedule',
};

/** Whether a run may still change: its page polls, and it can be cancelled. */
export function isActive(status: FlowRunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** How long a run took, or has been running for (`now` while it runs); null before it started. */
export function runDuration(run: FlowRunSummary, now: number): number | null {
  if (run.durationMs !== null) return run.durationMs;
  if (!run.startedAt) return null;
  const end = run.finishedAt ? new Date(run.finishedAt).getTime() : now;
  return end - new Date(run.startedAt).getTime();
}

const integer = new Intl.NumberFormat('en');

/** "1,200 read · 1,180 written · 20 failed". */
export function countsText(counts: FlowRunSummary['counts']): string {
  return `${integer.format(counts.read)} read · ${integer.format(counts.written)} written · ${integer.format(counts.failed)} failed`;
}
