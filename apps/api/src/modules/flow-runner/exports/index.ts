import type { HttpExportSettings, SqlExportSettings } from '@outpost/protocol/rest/exports';
import type { ConnectionDeps } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { ExportFailure } from './errors.ts';
import { type HttpExportCursor, readHttpPage } from './http.ts';
import { readSqlPage } from './sql.ts';

export { ExportFailure } from './errors.ts';

/** JSON-serialisable: stored in `FlowRun.cursor` between pages. */
export type ExportCursor = unknown;

export interface ExportPage {
  records: unknown[];
  /** null: this was the last page. */
  next: ExportCursor | null;
  /** Incremental SQL: the largest key value in this page. */
  lastValue?: string | number | null;
}

export interface ExportSource {
  /** The Export row's parsed settings. */
  export: {
    id: string;
    name: string;
    http: HttpExportSettings | null;
    sql: SqlExportSettings | null;
    lastValue: string | number | null;
  };
  connection: ConnectionWithAgent;
}

export interface ReadOptions {
  pageSize: number;
  signal: AbortSignal;
  /** Incremental SQL: read only rows whose key is past this value (the first page; later ones follow the cursor). */
  incrementalFrom?: string | number | null;
}

/**
 * Reads one page of an export through its connection (Cloud or On-premise, as the connection
 * says). `cursor` is null for the first page, else the `next` of the page before. Throws
 * `ExportFailure` when the export cannot be read (the run fails with its message) and
 * `ConnectionFailure` when the transport failed (the page can be read again later).
 */
export async function readExportPage(
  deps: ConnectionDeps,
  source: ExportSource,
  cursor: ExportCursor | null,
  options: ReadOptions,
): Promise<ExportPage> {
  const { http, sql, name } = source.export;
  if (http) return readHttpPage(deps, source.connection, http, httpCursor(cursor), options.signal);
  if (sql) {
    const after = sqlCursor(cursor) ?? options.incrementalFrom ?? null;
    return readSqlPage(deps, source.connection, sql, after, options);
  }
  throw new ExportFailure(`The export "${name}" has neither HTTP nor SQL settings`);
}

function httpCursor(cursor: ExportCursor | null): HttpExportCursor | null {
  if (cursor === null || cursor === undefined) return null;
  if (typeof cursor === 'object') {
    const value = cursor as Record<string, unknown>;
    if (typeof value.url === 'string') return { url: value.url };
    if (typeof value.page === 'number') return { page: value.page };
    if (typeof value.cursor === 'string') return { cursor: value.cursor };
  }
  throw new ExportFailure(`The stored cursor ${JSON.stringify(cursor)} is not one of an HTTP export`);
}

function sqlCursor(cursor: ExportCursor | null): string | number | null {
  if (cursor === null || cursor === undefined) return null;
  const after = typeof cursor === 'object' ? (cursor as { after?: unknown }).after : undefined;
  if (typeof after === 'string' || typeof after === 'number') return after;
  throw new ExportFailure(`The stored cursor ${JSON.stringify(cursor)} is not one of a SQL export`);
}
