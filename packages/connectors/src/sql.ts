import { createHash } from 'node:crypto';
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import mysql from 'mysql2';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { z } from 'zod';
import {
  abortError,
  checkedAddresses,
  type Executor,
  ExecutorError,
  networkError,
  type RunContext,
} from './executor.ts';
import { PoolCache } from './pool-cache.ts';

export const SqlDialect = z.enum(['postgres', 'mysql']);
export type SqlDialect = z.infer<typeof SqlDialect>;

/**
 * `disable`: plain; `prefer`: TLS without verification, plain when the server has no TLS;
 * `require`: TLS without verification; `verify-full`: TLS with the certificate and host name checked.
 */
export const SqlTls = z.enum(['disable', 'prefer', 'require', 'verify-full']);

export const SqlConnection = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535).optional(),
  database: z.string().min(1).max(255),
  user: z.string().min(1).max(255),
  password: z.string().max(4096).optional(),
  tls: SqlTls.default('prefer'),
  /** PEM certificates to trust for `verify-full`, besides the system's. */
  ca: z.string().max(64_000).optional(),
});
export type SqlConnection = z.infer<typeof SqlConnection>;

/** Parameters are values only: the statement's text never contains them. */
const SqlValue = z.union([z.string().max(1_000_000), z.number(), z.boolean(), z.null()]);

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

const DEFAULT_PORT: Record<SqlDialect, number> = { postgres: 5432, mysql: 3306 };
const BATCH_ROWS = 500;
const DEFAULT_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

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

export function sqlTarget(input: Pick<ParsedSqlInput, 'dialect' | 'connection'>) {
  return { host: input.connection.host, port: input.connection.port ?? DEFAULT_PORT[input.dialect] };
}

async function runSql(input: ParsedSqlInput, context: RunContext) {
  const target = sqlTarget(input);
  // Resolved and checked once; the pool connects to exactly the checked address.
  const [address] = await checkedAddresses(target, context);
  if (!address) throw new ExecutorError('dns_failed', `${target.host} did not resolve`);
  const timeoutMs = Math.max(
    1,
    Math.min(input.timeoutMs ?? DEFAULT_TIMEOUT_MS, context.deadline - Date.now()),
  );
  const where = `${target.host}:${target.port}`;
  const run = input.dialect === 'postgres' ? runPostgres : runMysql;
  return run({ ...input, address, port: target.port, timeoutMs, where }, context);
}

interface Statement extends ParsedSqlInput {
  address: string;
  port: number;
  timeoutMs: number;
  where: string;
}

// PostgreSQL ---------------------------------------------------------------------------------

const pgPools = new PoolCache<pg.Pool>((pool) => pool.end());
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
    await client.query('SELECT set_config($1, $2, false)', [
      'statement_timeout',
      String(statement.timeoutMs),
    ]);
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

async function connectPostgres(statement: Statement, signal: AbortSignal): Promise<pg.PoolClient> {
  const connect = (mode: SqlConnection['tls']) => {
    const key = poolKey('postgres', statement, mode);
    const pool = pgPools.get(key, () => {
      const created = new pg.Pool({
        host: statement.address,
        port: statement.port,
        database: statement.connection.database,
        user: statement.connection.user,
        password: statement.connection.password ?? '',
        ssl: tlsOptions(mode, statement),
        max: 4,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'outpost',
      });
      // An idle client that fails (server restart) is dropped by the pool; nothing to report.
      created.on('error', () => {});
      return created;
    });
    return pool.connect();
  };
  try {
    return await raceAbort(connect(statement.connection.tls), signal, releaseClient);
  } catch (error) {
    if (statement.connection.tls === 'prefer' && /does not support SSL/i.test(String(error)))
      return await raceAbort(connect('disable'), signal, releaseClient).catch((retry: unknown) => {
        throw sqlError(retry, statement, signal);
      });
    throw sqlError(error, statement, signal);
  }
}

// MySQL / MariaDB ------------------------------------------------------------------------------

const mysqlPools = new PoolCache<mysql.Pool>((pool) => new Promise((resolve) => pool.end(() => resolve())));
/** How each server takes a statement timeout: MariaDB in seconds, MySQL in milliseconds. */
const mysqlTimeoutVariable = new WeakMap<object, 'max_statement_time' | 'max_execution_time'>();
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

async function connectMysql(statement: Statement, signal: AbortSignal): Promise<mysql.PoolConnection> {
  const connect = (mode: SqlConnection['tls']) => {
    const pool = mysqlPools.get(poolKey('mysql', statement, mode), () => {
      const ssl: mysql.SslOptions | undefined =
        mode === 'disable'
          ? undefined
          : mode === 'verify-full'
            ? {
                rejectUnauthorized: true,
                verifyIdentity: true,
                ...(statement.connection.ca
                  ? { ca: [...tls.rootCertificates, statement.connection.ca] }
                  : {}),
              }
            : { rejectUnauthorized: false };
      const created = mysql.createPool({
        // The name, for TLS; the socket itself goes to the checked address.
        host: statement.connection.host,
        port: statement.port,
        stream: () => net.connect(statement.port, statement.address),
        database: statement.connection.database,
        user: statement.connection.user,
        password: statement.connection.password ?? '',
        ...(ssl ? { ssl } : {}),
        connectionLimit: 4,
        maxIdle: 4,
        idleTimeout: 30_000,
        connectTimeout: CONNECT_TIMEOUT_MS,
        supportBigNumbers: true,
        bigNumberStrings: true,
        multipleStatements: false,
      });
      created.on('connection', (connection) => connection.on('error', () => {}));
      return created;
    });
    return new Promise<mysql.PoolConnection>((resolve, reject) =>
      pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
    );
  };
  try {
    return await raceAbort(connect(statement.connection.tls), signal, destroyConnection);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (statement.connection.tls === 'prefer' && code === 'HANDSHAKE_NO_SSL_SUPPORT')
      return await raceAbort(connect('disable'), signal, destroyConnection).catch((retry: unknown) => {
        throw sqlError(retry, statement, signal);
      });
    throw sqlError(error, statement, signal);
  }
}

const releaseClient = (client: pg.PoolClient) => client.release(true);
const destroyConnection = (connection: mysql.PoolConnection) => connection.destroy();

/** Closes every pool this process holds (shutdown, tests). */
export async function closeSqlPools(): Promise<void> {
  await Promise.all([pgPools.closeAll(), mysqlPools.closeAll()]);
}

async function setMysqlTimeout(connection: mysql.PoolConnection, timeoutMs: number): Promise<void> {
  const query = (sql: string, value: number) =>
    new Promise<void>((resolve, reject) =>
      connection.query(sql, [value], (error) => (error ? reject(error) : resolve())),
    );
  const raw: object = connection;
  const known = mysqlTimeoutVariable.get(raw);
  if (known !== 'max_execution_time') {
    try {
      await query('SET SESSION max_statement_time = ?', timeoutMs / 1000);
      mysqlTimeoutVariable.set(raw, 'max_statement_time');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ER_UNKNOWN_SYSTEM_VARIABLE') throw error;
    }
  }
  await query('SET SESSION max_execution_time = ?', Math.ceil(timeoutMs));
  mysqlTimeoutVariable.set(raw, 'max_execution_time');
}

// Shared ---------------------------------------------------------------------------------------

function tlsOptions(mode: SqlConnection['tls'], statement: Statement): ConnectionOptions | false {
  if (mode === 'disable') return false;
  if (mode !== 'verify-full') return { rejectUnauthorized: false };
  const host = statement.connection.host;
  return {
    rejectUnauthorized: true,
    ...(statement.connection.ca ? { ca: [...tls.rootCertificates, statement.connection.ca] } : {}),
    // The socket goes to the checked address; the certificate must still name the host.
    ...(net.isIP(host) ? {} : { servername: host }),
    checkServerIdentity: (_name, certificate) => tls.checkServerIdentity(host, certificate),
  };
}

/** One pool per connection settings and checked address (the password is part of the digest). */
function poolKey(dialect: SqlDialect, statement: Statement, mode: SqlConnection['tls']): string {
  const { host, database, user, password, ca } = statement.connection;
  return createHash('sha256')
    .update(
      JSON.stringify([dialect, host, statement.address, statement.port, database, user, password, mode, ca]),
    )
    .digest('hex');
}

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

/** Settles with `promise`, or rejects when `signal` aborts first; a late value is disposed of. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, dispose: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then(dispose, () => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) dispose(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const AUTH_CODES = new Set([
  '28P01',
  '28000',
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);
const TIMEOUT_CODES = new Set(['57014', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT']);

/** A driver error as an executor error: login refused, statement failed, or a network failure. */
function sqlError(error: unknown, statement: Statement, signal: AbortSignal): ExecutorError {
  if (signal.aborted) return abortError(signal);
  if (error instanceof ExecutorError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support SSL/i.test(message))
    return new ExecutorError(
      'tls_error',
      `${statement.where} does not support TLS; set TLS to "prefer" or "disable"`,
    );
  if (AUTH_CODES.has(code))
    return new ExecutorError('auth_failed', `${statement.where} refused the login: ${message}`);
  if (TIMEOUT_CODES.has(code) || /max_statement_time|maximum statement execution time/i.test(message))
    return new ExecutorError('timeout', `the statement ran longer than ${statement.timeoutMs} ms`);
  if (/timeout expired|connection terminated due to connection timeout|ETIMEDOUT/i.test(message))
    return new ExecutorError('timeout', `${statement.where} did not answer in time`);
  if (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('ER_'))
    return new ExecutorError('query_failed', `${message} (${code})`);
  return networkError(error, statement.where);
}
