import type { Database } from '@outpost/db/client';
import type {
  FlowRunLogLine,
  FlowRunRecordError,
  FlowRunStatus,
  FlowRunSummary,
} from '@outpost/protocol/rest/runs';
import { iso } from '../flows/resources.ts';

type RunRow = Awaited<ReturnType<Database['flowRun']['findFirstOrThrow']>>;
type LogRow = Awaited<ReturnType<Database['flowRunLog']['findFirstOrThrow']>>;
type RecordErrorRow = Awaited<ReturnType<Database['flowRunRecordError']['findFirstOrThrow']>>;

/** REST says `queued`…; the database says `QUEUED`…. */
export const toStatus = (status: RunRow['status']) => status.toLowerCase() as FlowRunStatus;
export const fromStatus = (status: FlowRunStatus) => status.toUpperCase() as RunRow['status'];

/** Runs that hold their flow: a flow with one is neither run again nor deleted. */
export const ACTIVE_STATUSES: RunRow['status'][] = ['QUEUED', 'RUNNING'];

export function toRunSummary(run: RunRow, flow: { id: string; name: string }): FlowRunSummary {
  return {
    id: run.id,
    flow: { id: flow.id, name: flow.name },
    status: toStatus(run.status),
    trigger: run.trigger === 'SCHEDULE' ? 'schedule' : 'manual',
    triggeredBy: run.triggeredBy,
    counts: { read: run.recordsRead, written: run.recordsWritten, failed: run.recordsFailed },
    pagesDone: run.pagesDone,
    error: run.error,
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
  };
}

const LEVELS = new Set(['info', 'warn', 'error']);

export function toLogLine(row: LogRow): FlowRunLogLine {
  return {
    at: iso(row.createdAt),
    level: (LEVELS.has(row.level) ? row.level : 'info') as FlowRunLogLine['level'],
    message: row.message,
  };
}

const STAGES = new Set(['export', 'script', 'import']);

export function toRecordError(row: RecordErrorRow): FlowRunRecordError {
  return {
    id: row.id,
    page: row.page,
    index: row.index,
    stage: (STAGES.has(row.stage) ? row.stage : 'import') as FlowRunRecordError['stage'],
    step: row.step,
    message: row.message,
    record: row.record,
    createdAt: iso(row.createdAt),
  };
}
