import { SqlIdentifier } from '@outpost/protocol/rest/integration-common';
import type mysql from 'mysql2';
import type pg from 'pg';
import { z } from 'zod';
import { type Executor, ExecutorError, type RunContext } from './executor.ts';
import { SqlValue } from './sql.ts';
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

/** The table in the destination database that remembers which batches were written. */
export const BATCHES_TABLE = 'outpost_import_batches';
/** A statement takes at most 65 535 parameters, on both PostgreSQL and MySQL. */
const MAX_PARAMS = 65_535;

export const SqlBatchInput = z
  .object({
    dialect: SqlDialect,
    connection: SqlConnection,
    /** `orders` or `sales.orders`; quoted when used. */
    table: SqlIdentifier,
    columns: z.array(SqlIdentifier).min(1).max(500),
    mode: z.enum(['insert', 'upsert']).default('insert'),
    /** Upsert: the columns of the unique key the rows conflict on. */
    keyColumns: z.array(SqlIdentifier).max(10).default([]),
    /** One array of values per row, in the order of `columns`. */
    rows: z.array(z.array(SqlValue)).min(1).max(5000),
    /** Written in the same transaction as the rows: a batch whose key is there is skipped. */
    batchKey: z.string().min(1).max(200),
    /** Each statement's timeout; the request's deadline applies too. */
    timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  })
  .superRefine((input, context) => {
    if (new Set(input.columns).size !== input.columns.length)
      context.addIssue({ code: 'custom', path: ['columns'], message: 'each column once' });
    if (input.mode === 'upsert' && input.keyColumns.length === 0)
      context.addIssue({ code: 'custom', path: ['keyColumns'], message: 'upsert needs key columns' });
    for (const [index, key] of input.keyColumns.entries())
      if (!input.columns.includes(key))
        context.addIssue({ code: 'custom', path: ['keyColumns', index], message: 'not one of the columns' });
    for (const [index, row] of input.rows.entries())
      if (row.length !== input.columns.length) {
        context.addIssue({
          code: 'custom',
          path: ['rows', index],
          message: `${input.columns.length} values, one per column`,
        });
        return;
      }
  });
export type SqlBatchInput = z.input<typeof SqlBatchInput>;
type ParsedInput = z.output<typeof SqlBatchInput>;
type Value = z.infer<typeof SqlValue>;

export interface SqlBatchResult {
  /** Rows written by this call. */
  written: number;
  /** Rows skipped because their batch (or, row by row, the row) had been written before. */
  alreadyWritten: number;
  /** Rows the database refused (constraint, bad value), by index in `rows`; the others were written. */
  failures: { index: number; message: string }[];
}

/**
 * `sql.batch`: writes a batch of rows exactly once. In one transaction on one connection it
 * records `batchKey` in `outpost_import_batches` (created when missing) and inserts or upserts
 * the rows; a key already there means the batch was written before, and nothing is written.
 * When a row breaks a constraint or has a bad value, the batch is written again row by row,
 * each row in its own transaction under `<batchKey>:r<index>`, so the refused rows are named
 * and the others written.
 */
export const sqlBatchExecutor: Executor<ParsedInput> = {
  kind: 'sql.batch',
  input: SqlBatchInput,
  targets: (input) => [sqlTarget(input)],
  run: async (input, context) => {
    const endpoint = await resolveEndpoint(input, context);
    const session = await openSession(endpoint, context);
    try {
      const result = await writeBatch(session, input);
      session.release(false);
      return { result };
    } catch (error) {
      session.release(true);
      throw sqlError(error, endpoint, context.signal);
    }
  },
};

/** One pooled connection, with the statements of its dialect. */
interface Session {
  dialect: SqlDialect;
  /** Runs one statement; the number of rows it returned. */
  run(sql: string, params?: Value[]): Promise<number>;
  release(broken: boolean): void;
}

async function writeBatch(session: Session, input: ParsedInput): Promise<SqlBatchResult> {
  const sql = statements(session.dialect, input);
  if ((await session.run(sql.tableExists)) === 0) await createBatchesTable(session, sql.createTable);
  const splitKey = `${input.batchKey}:rows`;
  if ((await session.run(sql.keyExists, [splitKey])) > 0) return writeRowByRow(session, input, sql);
  await session.run(sql.begin);
  try {
    if (!(await recordKey(session, sql, input.batchKey, input.rows.length))) {
      await session.run('ROLLBACK');
      return { written: 0, alreadyWritten: input.rows.length, failures: [] };
    }
    for (let start = 0; start < input.rows.length; start += sql.rowsPerStatement) {
      const rows = input.rows.slice(start, start + sql.rowsPerStatement);
      await session.run(sql.insert(rows.length), rows.flat());
    }
    await session.run('COMMIT');
    return { written: input.rows.length, alreadyWritten: 0, failures: [] };
  } catch (error) {
    await rollback(session);
    if (!isRowError(error)) throw error;
  }
  // Marked first: from now on a retry of this batch goes row by row too, never writes it whole.
  await recordKey(session, sql, splitKey, 0);
  return writeRowByRow(session, input, sql);
}

async function writeRowByRow(session: Session, input: ParsedInput, sql: Statements): Promise<SqlBatchResult> {
  const result: SqlBatchResult = { written: 0, alreadyWritten: 0, failures: [] };
  for (const [index, row] of input.rows.entries()) {
    await session.run(sql.begin);
    try {
      if (!(await recordKey(session, sql, `${input.batchKey}:r${index}`, 1))) {
        await session.run('ROLLBACK');
        result.alreadyWritten++;
        continue;
      }
      await session.run(sql.insert(1), row);
      await session.run('COMMIT');
      result.written++;
    } catch (error) {
      await rollback(session);
      if (!isRowError(error)) throw error;
      result.failures.push({ index, message: rowErrorMessage(error) });
    }
  }
  return result;
}

/** After a failed statement; a connection too broken to roll back fails the next statement anyway. */
async function rollback(session: Session): Promise<void> {
  await session.run('ROLLBACK').catch(() => {});
}

/** Inserts a key in the current transaction; false when it was there already. */
async function recordKey(session: Session, sql: Statements, key: string, rows: number): Promise<boolean> {
  try {
    await session.run(sql.insertKey, [key, rows]);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Two writers may create it at once: the one that loses finds it there. */
async function createBatchesTable(session: Session, createTable: string): Promise<void> {
  try {
    await session.run(createTable);
  } catch (error) {
    const code = codeOf(error);
    if (code === '42P07' || code === '23505' || errnoOf(error) === 1050) return;
    const message = error instanceof Error ? error.message : String(error);
    throw new ExecutorError(
      'query_failed',
      `creating the table ${BATCHES_TABLE}, where Outpost records the batches it wrote so none is written twice, failed: ${message} (${errnoOf(error) || code})`,
    );
  }
}

// Statements -----------------------------------------------------------------------------------

interface Statements {
  begin: string;
  tableExists: string;
  createTable: string;
  keyExists: string;
  insertKey: string;
  rowsPerStatement: number;
  insert(rows: number): string;
}

function statements(dialect: SqlDialect, input: ParsedInput): Statements {
  const quote = dialect === 'postgres' ? quotePostgres : quoteMysql;
  const param = dialect === 'postgres' ? (n: number) => `$${n}` : () => '?';
  const batches = quote(BATCHES_TABLE);
  const columns = input.columns.map(quote);
  const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const updated = input.columns.filter((column) => !input.keyColumns.includes(column)).map(quote);
  const onConflict =
    input.mode === 'insert'
      ? ''
      : dialect === 'postgres'
        ? ` ON CONFLICT (${input.keyColumns.map(quote).join(', ')}) ${
            updated.length === 0
              ? 'DO NOTHING'
              : `DO UPDATE SET ${updated.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`
          }`
        : ` ON DUPLICATE KEY UPDATE ${(updated.length > 0 ? updated : columns.slice(0, 1))
            .map((c) => `${c} = VALUES(${c})`)
            .join(', ')}`;
  const target = `INSERT INTO ${qualified(input.table, quote)} (${columns.join(', ')}) VALUES `;
  return {
    begin: dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION',
    tableExists:
      dialect === 'postgres'
        ? `SELECT 1 WHERE to_regclass('${BATCHES_TABLE}') IS NOT NULL`
        : `SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${BATCHES_TABLE}'`,
    createTable:
      dialect === 'postgres'
        ? `CREATE TABLE IF NOT EXISTS ${batches} (batch_key text PRIMARY KEY, "rows" integer NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`
        : `CREATE TABLE IF NOT EXISTS ${batches} (batch_key varchar(255) PRIMARY KEY, \`rows\` integer NOT NULL, written_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    keyExists: `SELECT 1 FROM ${batches} WHERE batch_key = ${param(1)}`,
    insertKey: `INSERT INTO ${batches} (batch_key, ${quote('rows')}) VALUES (${param(1)}, ${param(2)})`,
    rowsPerStatement,
    insert: (rows) => {
      const tuples: string[] = [];
      let n = 0;
      for (let row = 0; row < rows; row++) tuples.push(`(${columns.map(() => param(++n)).join(', ')})`);
      return target + tuples.join(', ') + onConflict;
    },
  };
}

/** `sales.orders` → `"sales"."orders"`; the name is validated, and quoted all the same. */
function qualified(name: string, quote: (part: string) => string): string {
  return name.split('.').map(quote).join('.');
}

export function quotePostgres(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

export function quoteMysql(identifier: string): string {
  return `\`${identifier.replaceAll('`', '``')}\``;
}

// Errors ---------------------------------------------------------------------------------------

/**
 * MySQL/MariaDB errors that one row's values cause, by number (the names differ between the two:
 * 4025 is MariaDB's failed CHECK); PostgreSQL's are the SQLSTATE classes 21, 22 and 23.
 */
const MYSQL_ROW_ERRORS = new Set([
  1048, // a NULL in a NOT NULL column
  1062, // duplicate entry
  1216, // no referenced row (foreign key)
  1217, // row is referenced (foreign key)
  1264, // out of range
  1265, // data truncated
  1292, // incorrect value
  1364, // no default value
  1365, // division by zero
  1366, // incorrect value for a column
  1406, // data too long
  1411, // incorrect value for a function or type
  1451, // row is referenced (foreign key)
  1452, // no referenced row (foreign key)
  1586, // duplicate entry for a named key
  3140, // invalid JSON text (MySQL)
  3819, // check constraint violated (MySQL)
  4025, // CONSTRAINT failed (MariaDB)
]);

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

function errnoOf(error: unknown): number {
  return Number((error as { errno?: unknown } | null)?.errno ?? 0);
}

function isRowError(error: unknown): boolean {
  const code = codeOf(error);
  return /^2[123][0-9A-Z]{3}$/.test(code) || MYSQL_ROW_ERRORS.has(errnoOf(error));
}

function isDuplicateKey(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || errnoOf(error) === 1062;
}

function rowErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = (error as { detail?: unknown }).detail;
  const code = errnoOf(error) || codeOf(error);
  return `${message}${typeof detail === 'string' && detail ? ` – ${detail}` : ''} (${code})`;
}

// Connections ----------------------------------------------------------------------------------

async function openSession(endpoint: SqlEndpoint, context: RunContext): Promise<Session> {
  return endpoint.dialect === 'postgres'
    ? postgresSession(await connectPostgres(endpoint, context.signal), endpoint, context.signal)
    : mysqlSession(await connectMysql(endpoint, context.signal), endpoint, context.signal);
}

function onAbort(signal: AbortSignal, release: (broken: boolean) => void): (broken: boolean) => void {
  let released = false;
  const once = (broken: boolean) => {
    if (released) return;
    released = true;
    signal.removeEventListener('abort', aborted);
    release(broken);
  };
  const aborted = () => once(true);
  signal.addEventListener('abort', aborted, { once: true });
  return once;
}

async function postgresSession(
  client: pg.PoolClient,
  endpoint: SqlEndpoint,
  signal: AbortSignal,
): Promise<Session> {
  const release = onAbort(signal, (broken) => client.release(broken ? new Error('broken') : undefined));
  try {
    await setPostgresTimeout(client, endpoint.timeoutMs);
  } catch (error) {
    release(true);
    throw error;
  }
  return {
    dialect: 'postgres',
    run: async (sql, params) => (await client.query(sql, params)).rows.length,
    release,
  };
}

async function mysqlSession(
  connection: mysql.PoolConnection,
  endpoint: SqlEndpoint,
  signal: AbortSignal,
): Promise<Session> {
  const release = onAbort(signal, (broken) => (broken ? connection.destroy() : connection.release()));
  try {
    await setMysqlTimeout(connection, endpoint.timeoutMs);
  } catch (error) {
    release(true);
    throw error;
  }
  return {
    dialect: 'mysql',
    run: (sql, params) =>
      new Promise((resolve, reject) => {
        const done = (error: unknown, rows: unknown) => {
          if (params) connection.unprepare(sql);
          if (error) reject(error);
          else resolve(Array.isArray(rows) ? rows.length : 0);
        };
        // Values travel apart from the text (a server-side prepared statement), dropped after.
        if (params) connection.execute(sql, params, done);
        else connection.query(sql, done);
      }),
    release,
  };
}
