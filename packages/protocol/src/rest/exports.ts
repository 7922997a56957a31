import { z } from 'zod';
import { ResourceName } from './common.ts';
import { ConnectionType } from './connections.ts';
import {
  Description,
  JsonPath,
  ONE_SETTINGS_KIND,
  oneSettingsKind,
  RelativePath,
  ResourceRef,
  SqlIdentifier,
  SqlParam,
} from './integration-common.ts';

/** How an HTTP export finds the next page. */
export const HttpPagination = z.discriminatedUnion('type', [
  /** One request; its records are all there is. */
  z.object({ type: z.literal('none') }),
  /** The next page's URL (absolute, or relative to the base URI) is in the body or the `Link` header (rel="next"). */
  z.object({
    type: z.literal('next_link'),
    source: z.enum(['body', 'link_header']).default('body'),
    /** Where the link is in the body (source `body`). */
    path: JsonPath.default('next'),
  }),
  /** A page-number query parameter, counted up from `startAt` until a page comes back empty. */
  z.object({
    type: z.literal('page_number'),
    param: z.string().min(1).max(100).default('page'),
    startAt: z.number().int().min(0).default(1),
    /** A page-size query parameter and its value, if the API takes one. */
    sizeParam: z.string().min(1).max(100).optional(),
    size: z.number().int().min(1).max(10_000).optional(),
  }),
  /** A cursor from each page's body, sent back as a query parameter; ends when it is missing. */
  z.object({
    type: z.literal('cursor'),
    param: z.string().min(1).max(100).default('cursor'),
    path: JsonPath.default('next_cursor'),
  }),
]);
export type HttpPagination = z.infer<typeof HttpPagination>;

export const HttpExportSettings = z.object({
  method: z.enum(['GET', 'POST']).default('GET'),
  path: RelativePath,
  query: z.record(z.string().min(1).max(100), z.string().max(2000)).optional(),
  /** A JSON body for POST. */
  body: z.string().max(100_000).optional(),
  /** Where the records (an array) are in each response body; empty: the body is the array. */
  recordsPath: JsonPath.default(''),
  pagination: HttpPagination.default({ type: 'none' }),
});
export type HttpExportSettings = z.infer<typeof HttpExportSettings>;

/**
 * A parameterised query (`$1`… for PostgreSQL, `?` for MySQL), read in pages ordered by a key
 * column (unique and increasing, e.g. `id` or `updated_at, id`'s first part). Incremental: each
 * run reads only rows whose key is past the last value a successful run read.
 */
export const SqlExportSettings = z.object({
  query: z.string().trim().min(1, 'Query is required').max(100_000),
  params: z.array(SqlParam).max(100).default([]),
  keyColumn: SqlIdentifier,
  incremental: z.boolean().default(false),
});
export type SqlExportSettings = z.infer<typeof SqlExportSettings>;

const ExportFields = {
  name: ResourceName,
  description: Description.default(''),
  /** A connection of the same environment; its type says whether `http` or `sql` is given. */
  connectionId: z.uuid(),
};

/** Exactly one of `http` (HTTP connections) or `sql` (PostgreSQL, MySQL), matching the connection. */
export const CreateExportBody = z
  .object({ ...ExportFields, http: HttpExportSettings.optional(), sql: SqlExportSettings.optional() })
  .refine(oneSettingsKind, ONE_SETTINGS_KIND);
export type CreateExportBody = z.infer<typeof CreateExportBody>;

/**
 * Settings given replace the stored ones whole. An incremental export's last value is forgotten
 * (the next run reads everything) when the connection, `sql.query` or `sql.keyColumn` changes.
 */
export const UpdateExportBody = z
  .object({
    name: ResourceName,
    description: Description,
    connectionId: z.uuid(),
    http: HttpExportSettings,
    sql: SqlExportSettings,
    /** `null` forgets an incremental export's last value: the next run reads everything. */
    lastValue: z.null(),
  })
  .partial();
export type UpdateExportBody = z.infer<typeof UpdateExportBody>;

export const Export = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  connection: ResourceRef.extend({ type: ConnectionType, mode: z.enum(['CLOUD', 'ON_PREMISE']) }),
  http: HttpExportSettings.nullable(),
  sql: SqlExportSettings.nullable(),
  /** Incremental SQL exports: the last key value read by a successful run. */
  lastValue: z.union([z.string(), z.number()]).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Export = z.infer<typeof Export>;

export const ExportList = z.object({ items: z.array(Export) });
export type ExportList = z.infer<typeof ExportList>;
