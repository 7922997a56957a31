import { type Database, Prisma } from '@outpost/db/client';
import type {
  CreateExportBody,
  Export as ExportView,
  HttpExportSettings,
  SqlExportSettings,
  UpdateExportBody,
} from '@outpost/protocol/rest/exports';
import type { FastifyRequest } from 'fastify';
import { notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import { inUse, referencedConnection, settingsForConnection } from '../flows/references.ts';
import { auditOf, byName, type Caller, iso, namesOf, uniqueName } from '../flows/resources.ts';

/** What an export's `settings` column holds: the REST settings of its connection's kind. */
export type StoredExportSettings = { http: HttpExportSettings } | { sql: SqlExportSettings };

const include = { connection: { select: { id: true, name: true, type: true, mode: true } } } as const;
export type ExportRow = Prisma.ExportGetPayload<{ include: typeof include }>;

export function exportSettingsOf(row: Pick<ExportRow, 'settings'>): StoredExportSettings {
  return row.settings as unknown as StoredExportSettings;
}

export function toExportView(row: ExportRow): ExportView {
  const settings = exportSettingsOf(row);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    connection: row.connection,
    http: 'http' in settings ? settings.http : null,
    sql: 'sql' in settings ? settings.sql : null,
    lastValue: (row.lastValue as string | number | null) ?? null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export async function listExports(db: Database, scopeId: string): Promise<ExportView[]> {
  return byName(await db.export.findMany({ where: { scopeId }, include })).map(toExportView);
}

export async function getExport(db: Database, scopeId: string, exportId: string): Promise<ExportRow> {
  const row = await db.export.findFirst({ where: { id: exportId, scopeId }, include });
  if (!row) throw notFound('Export');
  return row;
}

export async function createExport(
  db: Database,
  caller: Caller,
  body: CreateExportBody,
  request: FastifyRequest,
): Promise<ExportRow> {
  const scopeId = caller.environment.scopeId;
  return uniqueName('export', body.name, () =>
    db.$transaction(async (tx) => {
      await ensureBelowLimit(tx, scopeId, 'exports');
      const connection = await referencedConnection(tx, scopeId, body.connectionId);
      const settings = settingsForConnection(connection, body, null);
      const created = await tx.export.create({
        data: {
          scopeId,
          name: body.name,
          description: body.description,
          connectionId: connection.id,
          settings: settings as unknown as Prisma.InputJsonObject,
        },
        include,
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'export.created', target(created.id), request, { name: created.name }),
      );
      return created;
    }),
  );
}

/**
 * Settings are replaced whole. The last value of an incremental export is forgotten when the
 * connection, the query or the key column changes (it would not mean the same), or when the
 * body says `lastValue: null`.
 */
export async function updateExport(
  db: Database,
  caller: Caller,
  exportId: string,
  body: UpdateExportBody,
  request: FastifyRequest,
): Promise<ExportRow> {
  const scopeId = caller.environment.scopeId;
  const before = await getExport(db, scopeId, exportId);
  const stored = exportSettingsOf(before);
  return uniqueName('export', body.name ?? before.name, () =>
    db.$transaction(async (tx) => {
      const connection =
        body.connectionId !== undefined && body.connectionId !== before.connectionId
          ? await referencedConnection(tx, scopeId, body.connectionId)
          : before.connection;
      const settings = settingsForConnection(connection, body, stored);
      const forget =
        body.lastValue === null ||
        connection.id !== before.connectionId ||
        readsDifferently(stored, settings);
      const row = await tx.export.update({
        where: { id: before.id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          connectionId: connection.id,
          settings: settings as unknown as Prisma.InputJsonObject,
          ...(forget ? { lastValue: Prisma.DbNull } : {}),
        },
        include,
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'export.updated', target(row.id), request, {
          changed: Object.keys(body),
          ...(forget && before.lastValue !== null ? { lastValueForgotten: true } : {}),
        }),
      );
      return row;
    }),
  );
}

/** Another query or key column reads other rows: a remembered last value no longer applies. */
function readsDifferently(before: StoredExportSettings, after: StoredExportSettings): boolean {
  if (!('sql' in before) || !('sql' in after)) return true;
  return before.sql.query !== after.sql.query || before.sql.keyColumn !== after.sql.keyColumn;
}

/** An export that flows use stays (409 `in_use`, naming them). */
export async function deleteExport(
  db: Database,
  caller: Caller,
  exportId: string,
  request: FastifyRequest,
): Promise<void> {
  const row = await getExport(db, caller.environment.scopeId, exportId);
  const refuseIfUsed = async () => {
    const flows = await db.flow.findMany({ where: { exportId: row.id }, select: { name: true } });
    if (flows.length > 0) throw inUse('export', row.name, [{ kind: 'flow', names: namesOf(flows) }]);
  };
  await refuseIfUsed();
  try {
    await db.$transaction(async (tx) => {
      await tx.export.delete({ where: { id: row.id } });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'export.deleted', target(row.id), request, { name: row.name }),
      );
    });
  } catch (error) {
    // A flow that picked the export meanwhile: the foreign key refused the delete.
    await refuseIfUsed();
    throw error;
  }
}

const target = (id: string) => ({ type: 'export', id });
