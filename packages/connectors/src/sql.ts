import mysql from 'mysql2';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { z } from 'zod';
import type { Executor, RunContext } from './executor.ts';
import {
  connectMysql,
  connectPostgres,
  resolveEndpoint,
  SqlConnection,
  SqlDialect,
  type SqlEndpoint,
  setMysqlTimeout,
  setPostgresTimeout,
  sqlError,
  sqlTarget,
} from './sql-connection.ts';

export { closeSqlPools, SqlConnection, SqlDialect, SqlTls, sqlTarget } from './sql-connection.ts';

/** Parameters are values only: the statement's text never contains them. */
export const SqlValue = z.union([z.string().max(1_000_000), z.number(), z.boolean(), z.null()]);

export const SqlInput = z.object({
  dialect: SqlDialect,
  connection: SqlConnection,
  /** One statement, with `$1`… (PostgreSQL) or `?` (MySQL) placeholders for `params`. */
  sql: z.string().min(1).max(100_000),
  params: z.array(SqlValue).max(10_000).default([]),
  /** The statement timeout; the request's deadline applies too. */
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
});
export type SqlInput = z.input<typeof SqlInput>;
type ParsedSqlInput = z.output<typeof SqlInput>;

export interface SqlColumn {
  name: string;
  type: string;
}

/** The result; rows follow in the body as NDJSON, one JSON array per row in column order. */
export interface SqlResult {
  columns: SqlColumn[];
  /** Rows changed by a statement that returns none; null when rows stream in the body. */
  rowCount: number | null;
}

const BATCH_ROWS = 500;

/**
 * `sql`: one parameterised statement on PostgreSQL (`pg`) or MySQL/MariaDB (`mysql2`, server-side
 * prepared). Rows stream as NDJSON and are fetched a batch at a time as the body is read, so a
 * large result is never held whole. A pool per connection settings is kept where this runs.
 */
export const sqlExecutor: Executor<ParsedSqlInput> = {
  kind: 'sql',
  input: SqlInput,
  targets: (input) => [sqlTarget(input)],
  run: runSql,
};

async function runSql(input: ParsedSqlInput, context: RunContext) {
  const endpoint = await resolveEndpoint(input, context);
  const run = input.dialect === 'postgres' ? runPostgres : runMysql;
  return run({ ...input, ...endpoint }, context);
}

type Statement = ParsedSqlInput & SqlEndpoint;

// PostgreSQL ---------------------------------------------------------------------------------

const pgTypeNames = new Map<number, string>(
  Object.entries(pg.types.builtins).map(([name, oid]) => [oid, name.toLowerCase()]),
);

async function runPostgres(statement: Statement, context: RunContext) {
  const client = await connectPostgres(statement, context.signal);
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  const onAbort = () => release(new Error('aborted'));
  context.signal.addEventListener('abort', onAbort, { once: true });
  const done = () => context.signal.removeEventListener('abort', onAbort);
  try {
    await setPostgresTimeout(client, statement.timeoutMs);
    const cursor = client.query(new Cursor(statement.sql, statement.params, { rowMode: 'array' }));
    const read = () =>
      new Promise<{ rows: unknown[][]; fields: pg.FieldDef[]; rowCount: number | null }>((resolve, reject) =>
        cursor.read(BATCH_ROWS, (error, rows, result) =>
          error
            ? reject(error)
            : resolve({ rows: rows as unknown[][], fields: result.fields, rowCount: result.rowCount }),
        ),
      );
    const first = await read();
    if (first.fields.length === 0) {
      await cursor.close();
      release();
      done();
      return { result: { columns: [], rowCount: first.rowCount ?? 0 } satisfies SqlResult };
    }
    const columns = first.fields.map((field) => ({
      name: field.name,
      type: pgTypeNames.get(field.dataTypeID) ?? `oid:${field.dataTypeID}`,
    }));
    async function* rows() {
      try {
        let batch = first.rows;
        for (;;) {
          if (batch.length > 0) yield ndjson(batch);
          if (batch.length < BATCH_ROWS) break;
          batch = (await read()).rows;
        }
        await cursor.close();
        release();
      } catch (error) {
        release(error instanceof Error ? error : new Error(String(error)));
        throw sqlError(error, statement, context.signal);
      } finally {
        release(new Error('the reader stopped'));
        done();
      }
    }
    return { result: { columns, rowCount: null } satisfies SqlResult, body: rows() };
  } catch (error) {
    release(error instanceof Error ? error : new Error(String(error)));
    done();
    throw sqlError(error, statement, context.signal);
  }
}

// MySQL / MariaDB ------------------------------------------------------------------------------

const mysqlTypeNames = new Map<number, string>(
  Object.entries(mysql.Types as unknown as Record<string, number>).map(([name, id]) => [
    id,
    name.toLowerCase(),
  ]),
);

async function runMysql(statement: Statement, context: RunContext) {
  const connection = await connectMysql(statement, context.signal);
  let released = false;
  const release = (broken: boolean) => {
    if (released) return;
    released = true;
    if (broken) connection.destroy();
    else connection.release();
  };
  const onAbort = () => release(true);
  context.signal.addEventListener('abort', onAbort, { once: true });
  const done = () => context.signal.removeEventListener('abort', onAbort);
  try {
    await setMysqlTimeout(connection, statement.timeoutMs);
    const command = connection.execute({ sql: statement.sql, values: statement.params, rowsAsArray: true });
    const stream = command.stream({ highWaterMark: BATCH_ROWS });
    const head = await new Promise<{ fields: mysql.FieldPacket[] } | { affectedRows: number }>(
      (resolve, reject) => {
        command.on('fields', (fields: mysql.FieldPacket[] | undefined) => fields && resolve({ fields }));
        stream.once('result', (row: unknown) => {
          if (row && typeof row === 'object' && 'affectedRows' in row)
            resolve({ affectedRows: Number((row as { affectedRows: number }).affectedRows) });
        });
        stream.once('end', () => resolve({ affectedRows: 0 }));
        stream.once('error', reject);
      },
    );
    if (!('fields' in head)) {
      stream.resume();
      release(false);
      done();
      return { result: { columns: [], rowCount: head.affectedRows } satisfies SqlResult };
    }
    const columns = head.fields.map((field) => ({
      name: field.name,
      type: mysqlTypeNames.get(Number(field.columnType ?? field.type)) ?? `type:${field.columnType}`,
    }));
    async function* rows() {
      let finished = false;
      try {
        let batch: unknown[][] = [];
        for await (const row of stream) {
          batch.push(row as unknown[]);
          if (batch.length >= BATCH_ROWS) {
            yield ndjson(batch);
            batch = [];
          }
        }
        if (batch.length > 0) yield ndjson(batch);
        finished = true;
      } catch (error) {
        throw sqlError(error, statement, context.signal);
      } finally {
        // A reader that stops early leaves rows on the wire: that connection cannot be reused.
        release(!finished);
        done();
      }
    }
    return { result: { columns, rowCount: null } satisfies SqlResult, body: rows() };
  } catch (error) {
    release(true);
    done();
    throw sqlError(error, statement, context.signal);
  }
}

// Shared ---------------------------------------------------------------------------------------

function ndjson(rows: unknown[][]): Buffer {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row.map(jsonValue))}\n`;
  return Buffer.from(text);
}

/** Binary as base64, big integers as strings, dates as ISO text; everything else as JSON has it. */
function jsonValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return value;
}
