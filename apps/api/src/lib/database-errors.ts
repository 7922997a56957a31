/**
 * The API's own database is away (restarting, unreachable, its connection cut), as opposed to a
 * query that failed: the same statement may work a moment later. Prisma says so with a code
 * (P1001 can't reach, P1002/P1008 timed out, P1017 connection closed, P2024 no pooled connection in
 * time, P2028 a transaction that could not start or finish in time on a busy database) or, for raw queries, with the driver adapter's cause; PostgreSQL with SQLSTATE class 08
 * (connection exception) or 57P01–57P03 (shutting down, cannot connect now); inside an interactive
 * transaction `pg`'s own error can come through unwrapped. Only Prisma's and `pg`'s errors count: a
 * connection's failures (ConnectionFailure, HubError) are classified where they are made.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const POSTGRES_CODES = /^(08\w{3}|57P0[123])$/;
const MESSAGES =
  /Connection terminated|Can't reach database server|Server has closed the connection|terminating connection due to administrator command|the database system is (shutting down|starting up)|ECONNREFUSED|ECONNRESET/;
/** What `pg` itself throws, unwrapped, inside a transaction whose connection broke. */
const PG_MESSAGES = /^(Client has encountered a connection error and is not queryable|Connection terminated)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta, message, name } = error as {
    code?: unknown;
    meta?: unknown;
    message?: unknown;
    name?: unknown;
  };
  if (name === 'Error' && typeof message === 'string' && PG_MESSAGES.test(message)) return true;
  // The connections' own errors (ConnectionFailure, HubError) carry codes of their own.
  if (typeof name !== 'string' || !/^(PrismaClient|DriverAdapterError)/.test(name)) return false;
  if (typeof code === 'string' && (PRISMA_CODES.has(code) || POSTGRES_CODES.test(code))) return true;
  const cause = (meta as { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  if (typeof cause?.kind === 'string' && ADAPTER_KINDS.has(cause.kind)) return true;
  if (typeof cause?.code === 'string' && POSTGRES_CODES.test(cause.code)) return true;
  return typeof message === 'string' && MESSAGES.test(message);
}
