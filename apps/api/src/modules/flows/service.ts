import type { Database, Prisma } from '@outpost/db/client';
import type { CreateFlowBody, Flow as FlowView, UpdateFlowBody } from '@outpost/protocol/rest/flows';
import type { FastifyRequest } from 'fastify';
import { AppError, type ErrorIssue, notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import { ACTIVE_STATUSES, toRunSummary } from '../runs/view.ts';
import { idsInScope, invalidReference } from './references.ts';
import { auditOf, byName, type Caller, iso, uniqueName } from './resources.ts';
import { checkSchedule, nextRunAt } from './schedule.ts';

const include = {
  export: { select: { id: true, name: true } },
  scripts: {
    orderBy: { position: 'asc' },
    include: { script: { select: { id: true, name: true, kind: true } } },
  },
  imports: { orderBy: { position: 'asc' }, include: { import: { select: { id: true, name: true } } } },
  runs: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1 },
} as const satisfies Prisma.FlowInclude;
export type FlowRow = Prisma.FlowGetPayload<{ include: typeof include }>;

type Tx = Prisma.TransactionClient;

export function toFlowView(row: FlowRow): FlowView {
  const lastRun = row.runs[0];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    schedule: row.schedule,
    timezone: row.timezone,
    pageSize: row.pageSize,
    nextRunAt: iso(row.nextRunAt),
    export: row.export,
    scripts: row.scripts.map((step) => step.script),
    imports: row.imports.map((step) => step.import),
    lastRun: lastRun ? toRunSummary(lastRun, row) : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export async function listFlows(db: Database, scopeId: string): Promise<FlowView[]> {
  return byName(await db.flow.findMany({ where: { scopeId }, include })).map(toFlowView);
}

export async function getFlow(db: Database, scopeId: string, flowId: string): Promise<FlowRow> {
  const row = await db.flow.findFirst({ where: { id: flowId, scopeId }, include });
  if (!row) throw notFound('Flow');
  return row;
}

/**
 * Locks the flow's row until the transaction ends: starting a run and deleting the flow take
 * this lock first, so that "no second run while one is queued or running" holds under races.
 */
export async function lockFlow(tx: Tx, flowId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Flow" WHERE id = ${flowId}::uuid FOR UPDATE`;
}

/** When the schedule queues the next run: null without a schedule, or while disabled. */
function scheduledAt(flow: { enabled: boolean; schedule: string | null; timezone: string }): Date | null {
  return flow.enabled && flow.schedule ? nextRunAt(flow.schedule, flow.timezone, new Date()) : null;
}

export async function createFlow(
  db: Database,
  caller: Caller,
  body: CreateFlowBody,
  request: FastifyRequest,
): Promise<FlowRow> {
  const scopeId = caller.environment.scopeId;
  checkSchedule(body.schedule, body.timezone);
  const id = await uniqueName('flow', body.name, () =>
    db.$transaction(async (tx) => {
      await ensureBelowLimit(tx, scopeId, 'flows');
      await checkReferences(tx, scopeId, body);
      const created = await tx.flow.create({
        data: {
          scopeId,
          name: body.name,
          description: body.description,
          enabled: body.enabled,
          schedule: body.schedule,
          timezone: body.timezone,
          pageSize: body.pageSize,
          nextRunAt: scheduledAt(body),
          exportId: body.exportId,
          scripts: { create: body.scriptIds.map((scriptId, position) => ({ scriptId, position })) },
          imports: { create: body.importIds.map((importId, position) => ({ importId, position })) },
        },
        select: { id: true, name: true },
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'flow.created', target(created.id), request, { name: created.name }),
      );
      return created.id;
    }),
  );
  // Read after the commit: the view's relations load in parallel, which a transaction's one
  // connection does not do.
  return getFlow(db, scopeId, id);
}

/** Steps given are replaced whole; a new schedule, time zone or `enabled` sets the next run anew. */
export async function updateFlow(
  db: Database,
  caller: Caller,
  flowId: string,
  body: UpdateFlowBody,
  request: FastifyRequest,
): Promise<FlowRow> {
  const scopeId = caller.environment.scopeId;
  const before = await getFlow(db, scopeId, flowId);
  const next = {
    enabled: body.enabled ?? before.enabled,
    schedule: body.schedule !== undefined ? body.schedule : before.schedule,
    timezone: body.timezone ?? before.timezone,
  };
  checkSchedule(next.schedule, next.timezone);
  const timingChanged =
    next.enabled !== before.enabled || next.schedule !== before.schedule || next.timezone !== before.timezone;
  await uniqueName('flow', body.name ?? before.name, () =>
    db.$transaction(async (tx) => {
      await checkReferences(tx, scopeId, body);
      if (body.scriptIds) await tx.flowScript.deleteMany({ where: { flowId: before.id } });
      if (body.importIds) await tx.flowImport.deleteMany({ where: { flowId: before.id } });
      const row = await tx.flow.update({
        where: { id: before.id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.pageSize !== undefined ? { pageSize: body.pageSize } : {}),
          ...(body.exportId !== undefined ? { exportId: body.exportId } : {}),
          ...next,
          ...(timingChanged ? { nextRunAt: scheduledAt(next) } : {}),
          ...(body.scriptIds
            ? { scripts: { create: body.scriptIds.map((scriptId, position) => ({ scriptId, position })) } }
            : {}),
          ...(body.importIds
            ? { imports: { create: body.importIds.map((importId, position) => ({ importId, position })) } }
            : {}),
        },
        select: { id: true },
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'flow.updated', target(row.id), request, { changed: Object.keys(body) }),
      );
    }),
  );
  return getFlow(db, scopeId, before.id);
}

/** Deletes the flow and its runs; refused (409 `run_in_progress`) while a run is queued or running. */
export async function deleteFlow(
  db: Database,
  caller: Caller,
  flowId: string,
  request: FastifyRequest,
): Promise<void> {
  const flow = await getFlow(db, caller.environment.scopeId, flowId);
  await db.$transaction(async (tx) => {
    await lockFlow(tx, flow.id);
    await refuseWhileRunning(tx, flow);
    await tx.flow.delete({ where: { id: flow.id } });
    await recordAuditEvent(
      tx,
      auditOf(caller, 'flow.deleted', target(flow.id), request, { name: flow.name }),
    );
  });
}

/** 409 `run_in_progress` when the flow has a queued or running run. */
export async function refuseWhileRunning(tx: Tx, flow: { id: string; name: string }): Promise<void> {
  const active = await tx.flowRun.findFirst({
    where: { flowId: flow.id, status: { in: ACTIVE_STATUSES } },
    select: { id: true, status: true },
  });
  if (active)
    throw new AppError(
      'run_in_progress',
      `The flow "${flow.name}" has a run ${active.status === 'QUEUED' ? 'queued' : 'running'} (${active.id}): cancel the run first, or wait until it ends`,
    );
}

/**
 * Every id the body names must be of the scope: 422 `invalid_reference` naming each one that is
 * not (`exportId`, `scriptIds.2`, `importIds.0`), and each import picked twice.
 */
async function checkReferences(
  tx: Tx,
  scopeId: string,
  body: { exportId?: string | undefined; scriptIds?: string[] | undefined; importIds?: string[] | undefined },
): Promise<void> {
  const issues: ErrorIssue[] = [];
  const check = async (
    field: 'exportId' | 'scriptIds' | 'importIds',
    table: 'Export' | 'Script' | 'Import',
    ids: string[] | undefined,
  ) => {
    if (!ids) return;
    const known = await idsInScope(tx, table, scopeId, ids);
    ids.forEach((id, index) => {
      const path = field === 'exportId' ? field : `${field}.${index}`;
      if (!known.has(id))
        issues.push({ path, message: `No ${table.toLowerCase()} with this id in this environment` });
      else if (field === 'importIds' && ids.indexOf(id) !== index)
        issues.push({ path, message: `This import is already picked (importIds.${ids.indexOf(id)})` });
    });
  };
  await check('exportId', 'Export', body.exportId === undefined ? undefined : [body.exportId]);
  await check('scriptIds', 'Script', body.scriptIds);
  await check('importIds', 'Import', body.importIds);
  if (issues.length > 0) throw invalidReference(issues);
}

const target = (id: string) => ({ type: 'flow', id });
