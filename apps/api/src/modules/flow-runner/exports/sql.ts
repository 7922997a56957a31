import { quoteMysql, quotePostgres } from '@outpost/connectors/sql-batch';
import type { SqlExportSettings } from '@outpost/protocol/rest/exports';
import { ConnectionFailure } from '../../connections/runner.ts';
import { type ConnectionDeps, runSqlQuery } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { ExportFailure } from './errors.ts';
import type { ExportPage } from './index.ts';

/** The key value the next page starts after. */
export interface SqlExportCursor {
  after: string | number;
}

const TIMEOUT_MS = 300_000;
/** Failures of the statement itself: the next try would fail the same way. */
const PERMANENT = new Set(['query_failed', 'auth_failed', 'invalid_input', 'unknown_operation']);

/**
 * One keyset page of a SQL export: the query wrapped, ordered by the key column, past the last key
 * read (or past the incremental export's last value), `pageSize` rows at most.
 */
export async function readSqlPage(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  settings: SqlExportSettings,
  after: string | number | null,
  options: { pageSize: number; signal: AbortSignal },
): Promise<ExportPage> {
  const { sql, params, key } = keysetQuery(connection, settings, after, options.pageSize);
  const records: Record<string, unknown>[] = [];
  let lastKey: unknown;
  try {
    const result = await runSqlQuery(deps, connection, {
      sql,
      params,
      timeoutMs: TIMEOUT_MS,
      signal: options.signal,
    });
    const names = result.columns.map((column) => column.name);
    let keyIndex = names.indexOf(key);
    if (keyIndex < 0) keyIndex = names.findIndex((name) => name.toLowerCase() === key.toLowerCase());
    if (keyIndex < 0) {
      await result.rows?.[Symbol.asyncIterator]().return?.();
      throw new ExportFailure(
        `The query's result has no key column "${key}" (its columns: ${names.join(', ') || 'none'})`,
      );
    }
    for await (const row of ndjsonRows(result.rows)) {
      const record: Record<string, unknown> = {};
      for (const [index, name] of names.entries()) record[name] = row[index];
      records.push(record);
      lastKey = row[keyIndex];
    }
  } catch (error) {
    if (error instanceof ConnectionFailure && PERMANENT.has(error.code))
      throw new ExportFailure(error.message);
    throw error;
  }
  const lastValue = records.length === 0 ? null : keyValue(lastKey, key);
  return {
    records,
    next: records.length < options.pageSize || lastValue === null ? null : { after: lastValue },
    lastValue,
  };
}

/** The user's query wrapped in a keyset page; its parameters first, then the last key. */
export function keysetQuery(
  connection: Pick<ConnectionWithAgent, 'type'>,
  settings: SqlExportSettings,
  after: string | number | null,
  pageSize: number,
): { sql: string; params: (string | number | boolean | null)[]; key: string } {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error(`page size ${pageSize}: a positive integer`);
  const postgres = connection.type !== 'MYSQL';
  // A schema-qualified key (`orders.id`) names the wrapped query's column by its last part.
  const key = settings.keyColumn.split('.').at(-1) ?? settings.keyColumn;
  const column = `outpost_export.${postgres ? quotePostgres(key) : quoteMysql(key)}`;
  const params = [...settings.params];
  let where = '';
  if (after !== null) {
    params.push(after);
    where = ` WHERE ${column} > ${postgres ? `$${params.length}` : '?'}`;
  }
  // On lines of its own, so a trailing comment in the query cannot swallow the wrapper.
  const query = settings.query.replace(/[\s;]+$/, '');
  return {
    sql: `SELECT * FROM (\n${query}\n) AS outpost_export${where} ORDER BY ${column} LIMIT ${pageSize}`,
    params,
    key,
  };
}

function keyValue(value: unknown, key: string): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (value === null || value === undefined)
    throw new ExportFailure(
      `The key column "${key}" is NULL in a row: the key must be unique, increasing and never NULL`,
    );
  throw new ExportFailure(`The key column "${key}" holds ${typeof value} values: use a number, text or time`);
}

/** The rows of a SQL result body: NDJSON, one array per row, cut anywhere into chunks. */
async function* ndjsonRows(body: AsyncIterable<Uint8Array> | undefined): AsyncGenerator<unknown[]> {
  if (!body) return;
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line) yield JSON.parse(line) as unknown[];
  }
  pending += decoder.decode();
  if (pending.trim()) yield JSON.parse(pending) as unknown[];
}
