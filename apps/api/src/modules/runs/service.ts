import type { Database, Prisma } from '@outpost/db/client';
import type {
  FlowRunErrorPage,
  FlowRunPage,
  FlowRunSummary,
  FlowRun as FlowRunView,
  RunListQuery,
} from '@outpost/protocol/rest/runs';
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { auditOf, type Caller } from '../flows/resources.ts';
import { getFlow, lockFlow, refuseWhileRunning } from '../flows/service.ts';
import { decodeIdCursor, decodeRunCursor, encodeIdCursor, encodeRunCursor, pageOf } from './cursor.ts';
import { fromStatus, toLogLine, toRecordError, toRunSummary } from './view.ts';

/** What a run's page shows of its log: the last lines, oldest first. */
export const RUN_LOG_LINES = 500;

const include = { flow: { select: { id: true, name: true } } } as const;
type RunRow = Prisma.FlowRunGetPayload<{ include: typeof include }>;

export const summaryOf = (run: RunRow): FlowRunSummary => toRunSummary(run, run.flow);

/**
 * Run now: queues a run (trigger manual, by the caller's e-mail or API token name) and wakes the
 * runner. A disabled flow can be run now too; `enabled` governs only the schedule. Refused
 * (409 `run_in_progress`) while the flow has a run queued or running.
 */
export async function startRun(
  db: Database,
  caller: Caller,
  flowId: string,
  request: FastifyRequest,
): Promise<RunRow> {
  const flow = await getFlow(db, caller.environment.scopeId, flowId);
  return db.$transaction(async (tx) => {
    await lockFlow(tx, flow.id);
    await refuseWhileRunning(tx, flow);
    const run = await tx.flowRun.create({
      data: {
        scopeId: caller.environment.scopeId,
        flowId: flow.id,
        status: 'QUEUED',
        trigger: 'MANUAL',
        triggeredBy: caller.actor.label,
      },
      include,
    });
    await recordAuditEvent(
      tx,
      auditOf(caller, 'flow_run.started', { type: 'flow_run', id: run.id }, request, {
        flowId: flow.id,
        flow: flow.name,
      }),
    );
    return run;
  });
}

/** Runs of the scope (or of one flow), newest first, a page at a time. */
export async function listRuns(
  db: Database,
  scopeId: string,
  query: RunListQuery,
  flowId?: string,
): Promise<FlowRunPage> {
  const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
  const rows = await db.flowRun.findMany({
    where: {
      scopeId,
      ...(flowId ? { flowId } : {}),
      ...(query.status ? { status: fromStatus(query.status) } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    include,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  return pageOf(rows, query.limit, summaryOf, encodeRunCursor);
}

export async function getRun(db: Database, scopeId: string, runId: string): Promise<RunRow> {
  const run = await db.flowRun.findFirst({ where: { id: runId, scopeId }, include });
  if (!run) throw notFound('Run');
  return run;
}

/** The summary, whether a cancel was asked, and the last lines of its log, oldest first. */
export async function runWithLogs(db: Database, run: RunRow): Promise<FlowRunView> {
  const logs = await db.flowRunLog.findMany({
    where: { runId: run.id },
    orderBy: { id: 'desc' },
    take: RUN_LOG_LINES,
  });
  return {
    ...summaryOf(run),
    cancelRequested: run.cancelRequestedAt !== null,
    logs: logs.reverse().map(toLogLine),
  };
}

/** The records that failed, oldest first, each as it was at the step that failed it. */
export async function listRunErrors(
  db: Database,
  runId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<FlowRunErrorPage> {
  const after = query.cursor === undefined ? undefined : decodeIdCursor(query.cursor);
  const rows = await db.flowRunRecordError.findMany({
    where: { runId, ...(after ? { id: { gt: after } } : {}) },
    orderBy: { id: 'asc' },
    take: query.limit + 1,
  });
  return pageOf(rows, query.limit, toRecordError, encodeIdCursor);
}

/**
 * Cancel: a queued run is cancelled at once; a running one is asked to stop (the runner stops it
 * after the step in flight and marks it cancelled); a finished one answers 409 `run_finished`.
 * Asking again while the runner stops it changes nothing.
 */
export async function cancelRun(
  db: Database,
  caller: Caller,
  run: RunRow,
  request: FastifyRequest,
): Promise<{ run: RunRow; stopRunning: boolean }> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const queued = await tx.flowRun.updateMany({
      where: { id: run.id, status: 'QUEUED' },
      data: { status: 'CANCELLED', cancelRequestedAt: now, finishedAt: now },
    });
    const asked =
      queued.count === 0
        ? await tx.flowRun.updateMany({
            where: { id: run.id, status: 'RUNNING', cancelRequestedAt: null },
            data: { cancelRequestedAt: now },
          })
        : { count: 0 };
    const after = await tx.flowRun.findUniqueOrThrow({ where: { id: run.id }, include });
    if (after.status !== 'RUNNING' && queued.count === 0)
      throw new AppError('run_finished', `The run has already ended (${after.status.toLowerCase()})`);
    if (queued.count + asked.count > 0)
      await recordAuditEvent(
        tx,
        auditOf(caller, 'flow_run.cancelled', { type: 'flow_run', id: run.id }, request, {
          flowId: run.flow.id,
          flow: run.flow.name,
          was: queued.count > 0 ? 'queued' : 'running',
        }),
      );
    return { run: after, stopRunning: after.status === 'RUNNING' };
  });
}
