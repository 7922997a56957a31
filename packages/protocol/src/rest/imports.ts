import { z } from 'zod';
import { ResourceName } from './common.ts';
import { ConnectionType } from './connections.ts';
import {
  Description,
  JsonPath,
  ONE_SETTINGS_KIND,
  oneSettingsKind,
  ResourceRef,
  SqlIdentifier,
} from './integration-common.ts';

/**
 * HTTP: one request per record, or per batch of records. The path may hold `{{record.field}}`
 * (per record). The body is the record (or the array of records) as JSON, unless a template is
 * given: JSON text in which `"{{record}}"`, `"{{records}}"` and `"{{record.path}}"` are replaced
 * by those values as JSON, and `{{run.id}}` by the run's id. Every request carries an
 * `Idempotency-Key` (run, import, page, and record index in per-record mode) so a retried page
 * is not written twice by a destination that honours it.
 */
export const HttpImportSettings = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  path: z.string().max(2000).regex(/^\//, 'a path starting with /'),
  mode: z.enum(['record', 'batch']).default('batch'),
  batchSize: z.number().int().min(1).max(1000).default(100),
  bodyTemplate: z.string().max(100_000).optional(),
  headers: z.record(z.string().min(1).max(100), z.string().max(4000)).optional(),
});
export type HttpImportSettings = z.infer<typeof HttpImportSettings>;

/** A column and where its value is in the record. */
export const ColumnMapping = z.object({
  column: SqlIdentifier,
  field: JsonPath.pipe(z.string().min(1, 'a field')),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

/**
 * SQL: insert or upsert (on the key columns) into a table, in batches, each batch in one
 * transaction that also records the batch's key (run, import, page) in `outpost_import_batches`
 * in the destination database, so a retried page is skipped, not written twice.
 */
export const SqlImportSettings = z
  .object({
    table: SqlIdentifier,
    mode: z.enum(['insert', 'upsert']).default('insert'),
    /** Upsert: the columns of a unique key. */
    keyColumns: z.array(SqlIdentifier).max(10).default([]),
    columns: z.array(ColumnMapping).min(1, 'Map at least one column').max(500),
    batchSize: z.number().int().min(1).max(5000).default(500),
  })
  .refine((s) => s.mode !== 'upsert' || s.keyColumns.length > 0, {
    path: ['keyColumns'],
    message: 'Upsert needs at least one key column',
  })
  .refine((s) => s.keyColumns.every((key) => s.columns.some((c) => c.column === key)), {
    path: ['keyColumns'],
    message: 'Every key column must be one of the mapped columns',
  });
export type SqlImportSettings = z.infer<typeof SqlImportSettings>;

const ImportFields = {
  name: ResourceName,
  description: Description.default(''),
  connectionId: z.uuid(),
};

/** Exactly one of `http` (HTTP connections) or `sql` (PostgreSQL, MySQL), matching the connection. */
export const CreateImportBody = z
  .object({ ...ImportFields, http: HttpImportSettings.optional(), sql: SqlImportSettings.optional() })
  .refine(oneSettingsKind, ONE_SETTINGS_KIND);
export type CreateImportBody = z.infer<typeof CreateImportBody>;

export const UpdateImportBody = z
  .object({
    name: ResourceName,
    description: Description,
    connectionId: z.uuid(),
    http: HttpImportSettings,
    sql: SqlImportSettings,
  })
  .partial();
export type UpdateImportBody = z.infer<typeof UpdateImportBody>;

export const Import = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  connection: ResourceRef.extend({ type: ConnectionType, mode: z.enum(['CLOUD', 'ON_PREMISE']) }),
  http: HttpImportSettings.nullable(),
  sql: SqlImportSettings.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Import = z.infer<typeof Import>;

export const ImportList = z.object({ items: z.array(Import) });
export type ImportList = z.infer<typeof ImportList>;
