import type { Database } from '@outpost/db/client';
import type {
  CreateScriptBody,
  ScriptCheckResult,
  ScriptKind,
  Script as ScriptView,
  UpdateScriptBody,
} from '@outpost/protocol/rest/scripts';
import { checkScript } from '@outpost/sandbox';
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import { inUse } from '../flows/references.ts';
import { auditOf, byName, type Caller, iso, namesOf, uniqueName } from '../flows/resources.ts';

type ScriptRow = Awaited<ReturnType<Database['script']['findFirstOrThrow']>>;

export function toScriptView(row: ScriptRow): ScriptView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    source: row.source,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/**
 * Compiles the script in a throw-away sandbox: does it parse, define its function and finish its
 * top-level code within the CPU limit? The message names the line: "Line 3: Unexpected token".
 */
export async function checkScriptSource(source: string, kind: ScriptKind): Promise<ScriptCheckResult> {
  const check = await checkScript(source, kind === 'TRANSFORM' ? 'transform' : 'filter');
  if (check.ok) return { ok: true, message: 'The script compiles', line: null, column: null };
  return {
    ok: false,
    // The sandbox says "(line 3)" at the end; the message says it first.
    message:
      check.line === null
        ? check.message
        : `Line ${check.line}: ${check.message.replace(/\s*\(line \d+\)$/, '')}`,
    line: check.line,
    column: check.column,
  };
}

/** 422 `script_invalid`, path `source`, for a script that would not run. */
async function refuseInvalid(source: string, kind: ScriptKind): Promise<void> {
  const check = await checkScriptSource(source, kind);
  if (!check.ok)
    throw new AppError('script_invalid', `source: ${check.message}`, [
      { path: 'source', message: check.message },
    ]);
}

export async function listScripts(db: Database, scopeId: string): Promise<ScriptView[]> {
  return byName(await db.script.findMany({ where: { scopeId } })).map(toScriptView);
}

export async function getScript(db: Database, scopeId: string, scriptId: string): Promise<ScriptRow> {
  const row = await db.script.findFirst({ where: { id: scriptId, scopeId } });
  if (!row) throw notFound('Script');
  return row;
}

export async function createScript(
  db: Database,
  caller: Caller,
  body: CreateScriptBody,
  request: FastifyRequest,
): Promise<ScriptRow> {
  await refuseInvalid(body.source, body.kind);
  return uniqueName('script', body.name, () =>
    db.$transaction(async (tx) => {
      await ensureBelowLimit(tx, caller.environment.scopeId, 'scripts');
      const created = await tx.script.create({
        data: { scopeId: caller.environment.scopeId, ...body },
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'script.created', target(created.id), request, {
          name: created.name,
          kind: created.kind,
        }),
      );
      return created;
    }),
  );
}

export async function updateScript(
  db: Database,
  caller: Caller,
  scriptId: string,
  body: UpdateScriptBody,
  request: FastifyRequest,
): Promise<ScriptRow> {
  const before = await getScript(db, caller.environment.scopeId, scriptId);
  if (body.source !== undefined || body.kind !== undefined)
    await refuseInvalid(body.source ?? before.source, body.kind ?? before.kind);
  return uniqueName('script', body.name ?? before.name, () =>
    db.$transaction(async (tx) => {
      const row = await tx.script.update({ where: { id: before.id }, data: body });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'script.updated', target(row.id), request, { changed: Object.keys(body) }),
      );
      return row;
    }),
  );
}

/** A script that flows use stays (409 `in_use`, naming them). */
export async function deleteScript(
  db: Database,
  caller: Caller,
  scriptId: string,
  request: FastifyRequest,
): Promise<void> {
  const row = await getScript(db, caller.environment.scopeId, scriptId);
  const refuseIfUsed = async () => {
    const flows = await db.flow.findMany({
      where: { scripts: { some: { scriptId: row.id } } },
      select: { name: true },
    });
    if (flows.length > 0) throw inUse('script', row.name, [{ kind: 'flow', names: namesOf(flows) }]);
  };
  await refuseIfUsed();
  try {
    await db.$transaction(async (tx) => {
      await tx.script.delete({ where: { id: row.id } });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'script.deleted', target(row.id), request, { name: row.name }),
      );
    });
  } catch (error) {
    // A flow that picked the script meanwhile: the foreign key refused the delete.
    await refuseIfUsed();
    throw error;
  }
}

const target = (id: string) => ({ type: 'script', id });
