import { createHash } from 'node:crypto';
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import mysql from 'mysql2';
import pg from 'pg';
import { z } from 'zod';
import { abortError, checkedAddresses, ExecutorError, networkError, type RunContext } from './executor.ts';
import { PoolCache } from './pool-cache.ts';

/**
 * What every SQL executor shares: the connection settings, the checked address, a pool per
 * settings where the executor runs, TLS, the statement timeout and the errors as executor errors.
 */

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

const DEFAULT_PORT: Record<SqlDialect, number> = { postgres: 5432, mysql: 3306 };
const DEFAULT_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

export function sqlTarget(input: { dialect: SqlDialect; connection: Pick<SqlConnection, 'host' | 'port'> }) {
  return { host: input.connection.host, port: input.connection.port ?? DEFAULT_PORT[input.dialect] };
}

/** A database to connect to: the settings, the address that was checked, and the statement timeout. */
export interface SqlEndpoint {
  dialect: SqlDialect;
  connection: SqlConnection;
  address: string;
  port: number;
  timeoutMs: number;
  /** `host:port`, for messages. */
  where: string;
}

/** Resolves and checks the host once: the pool connects to exactly the checked address. */
export async function resolveEndpoint(
  input: { dialect: SqlDialect; connection: SqlConnection; timeoutMs?: number | undefined },
  context: RunContext,
): Promise<SqlEndpoint> {
  const target = sqlTarget(input);
  const [address] = await checkedAddresses(target, context);
  if (!address) throw new ExecutorError('dns_failed', `${target.host} did not resolve`);
  const timeoutMs = Math.max(
    1,
    Math.min(input.timeoutMs ?? DEFAULT_TIMEOUT_MS, context.deadline - Date.now()),
  );
  return {
    dialect: input.dialect,
    connection: input.connection,
    address,
    port: target.port,
    timeoutMs,
    where: `${target.host}:${target.port}`,
  };
}

// PostgreSQL ---------------------------------------------------------------------------------

const pgPools = new PoolCache<pg.Pool>((pool) => pool.end());

/** A pooled client; release it with `client.release(error?)`. */
export async function connectPostgres(statement: SqlEndpoint, signal: AbortSignal): Promise<pg.PoolClient> {
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

/** The session's statement timeout, for every statement that follows on this client. */
export async function setPostgresTimeout(client: pg.PoolClient, timeoutMs: number): Promise<void> {
  await client.query('SELECT set_config($1, $2, false)', ['statement_timeout', String(timeoutMs)]);
}

// MySQL / MariaDB ------------------------------------------------------------------------------

const mysqlPools = new PoolCache<mysql.Pool>((pool) => new Promise((resolve) => pool.end(() => resolve())));
/** How each server takes a statement timeout: MariaDB in seconds, MySQL in milliseconds. */
const mysqlTimeoutVariable = new WeakMap<object, 'max_statement_time' | 'max_execution_time'>();

/** A pooled connection; give it back with `release()`, or `destroy()` it when its state is unknown. */
export async function connectMysql(
  statement: SqlEndpoint,
  signal: AbortSignal,
): Promise<mysql.PoolConnection> {
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

export async function setMysqlTimeout(connection: mysql.PoolConnection, timeoutMs: number): Promise<void> {
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

function tlsOptions(mode: SqlConnection['tls'], statement: SqlEndpoint): ConnectionOptions | false {
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
function poolKey(dialect: SqlDialect, statement: SqlEndpoint, mode: SqlConnection['tls']): string {
  const { host, database, user, password, ca } = statement.connection;
  return createHash('sha256')
    .update(
      JSON.stringify([dialect, host, statement.address, statement.port, database, user, password, mode, ca]),
    )
    .digest('hex');
}

/** Settles with `promise`, or rejects when `signal` aborts first; a late value is disposed of. */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  dispose: (value: T) => void,
): Promise<T> {
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
export function sqlError(error: unknown, statement: SqlEndpoint, signal: AbortSignal): ExecutorError {
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
