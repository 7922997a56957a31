import type { Database, Prisma } from '@outpost/db/client';
import type {
  CreateImportBody,
  HttpImportSettings,
  Import as ImportView,
  SqlImportSettings,
  UpdateImportBody,
} from '@outpost/protocol/rest/imports';
import type { FastifyRequest } from 'fastify';
import { notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import { inUse, referencedConnection, settingsForConnection } from '../flows/references.ts';
import { auditOf, byName, type Caller, iso, namesOf, uniqueName } from '../flows/resources.ts';

/** What an import's `settings` column holds: the REST settings of its connection's kind. */
export type StoredImportSettings = { http: HttpImportSettings } | { sql: SqlImportSettings };

const include = { connection: { select: { id: true, name: true, type: true, mode: true } } } as const;
export type ImportRow = Prisma.ImportGetPayload<{ include: typeof include }>;

export function importSettingsOf(row: Pick<ImportRow, 'settings'>): StoredImportSettings {
  return row.settings as unknown as StoredImportSettings;
}

export function toImportView(row: ImportRow): ImportView {
  const settings = importSettingsOf(row);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    connection: row.connection,
    http: 'http' in settings ? settings.http : null,
    sql: 'sql' in settings ? settings.sql : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export async function listImports(db: Database, scopeId: string): Promise<ImportView[]> {
  return byName(await db.import.findMany({ where: { scopeId }, include })).map(toImportView);
}

export async function getImport(db: Database, scopeId: string, importId: string): Promise<ImportRow> {
  const row = await db.import.findFirst({ where: { id: importId, scopeId }, include });
  if (!row) throw notFound('Import');
  return row;
}

export async function createImport(
  db: Database,
  caller: Caller,
  body: CreateImportBody,
  request: FastifyRequest,
): Promise<ImportRow> {
  const scopeId = caller.environment.scopeId;
  return uniqueName('import', body.name, () =>
    db.$transaction(async (tx) => {
      await ensureBelowLimit(tx, scopeId, 'imports');
      const connection = await referencedConnection(tx, scopeId, body.connectionId);
      const settings = settingsForConnection(connection, body, null);
      const created = await tx.import.create({
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
        auditOf(caller, 'import.created', target(created.id), request, { name: created.name }),
      );
      return created;
    }),
  );
}

/** Settings are replaced whole; a connection of another kind needs settings of its kind. */
export async function updateImport(
  db: Database,
  caller: Caller,
  importId: string,
  body: UpdateImportBody,
  request: FastifyRequest,
): Promise<ImportRow> {
  const scopeId = caller.environment.scopeId;
  const before = await getImport(db, scopeId, importId);
  return uniqueName('import', body.name ?? before.name, () =>
    db.$transaction(async (tx) => {
      const connection =
        body.connectionId !== undefined && body.connectionId !== before.connectionId
          ? await referencedConnection(tx, scopeId, body.connectionId)
          : before.connection;
      const settings = settingsForConnection(connection, body, importSettingsOf(before));
      const row = await tx.import.update({
        where: { id: before.id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          connectionId: connection.id,
          settings: settings as unknown as Prisma.InputJsonObject,
        },
        include,
      });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'import.updated', target(row.id), request, { changed: Object.keys(body) }),
      );
      return row;
    }),
  );
}

/** An import that flows use stays (409 `in_use`, naming them). */
export async function deleteImport(
  db: Database,
  caller: Caller,
  importId: string,
  request: FastifyRequest,
): Promise<void> {
  const row = await getImport(db, caller.environment.scopeId, importId);
  const refuseIfUsed = async () => {
    const flows = await db.flow.findMany({
      where: { imports: { some: { importId: row.id } } },
      select: { name: true },
    });
    if (flows.length > 0) throw inUse('import', row.name, [{ kind: 'flow', names: namesOf(flows) }]);
  };
  await refuseIfUsed();
  try {
    await db.$transaction(async (tx) => {
      await tx.import.delete({ where: { id: row.id } });
      await recordAuditEvent(
        tx,
        auditOf(caller, 'import.deleted', target(row.id), request, { name: row.name }),
      );
    });
  } catch (error) {
    // A flow that picked the import meanwhile: the foreign key refused the delete.
    await refuseIfUsed();
    throw error;
  }
}

const target = (id: string) => ({ type: 'import', id });
