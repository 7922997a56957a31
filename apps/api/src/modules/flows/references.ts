import { Prisma } from '@outpost/db/client';
import { AppError, type ErrorIssue } from '../../errors.ts';
import type { ResourceKind } from './resources.ts';

/**
 * References between the integration resources: every id a body names must be of the request's
 * scope. A missing id and another environment's id get the same answer (422
 * `invalid_reference`, naming the field), so that nothing of another environment shows.
 *
 * The rows found are locked (FOR KEY SHARE) until the writing transaction ends: a delete racing
 * the write waits, then finds the new user and answers 409 in_use; a delete that came first
 * leaves nothing to find here.
 */

type Tx = Prisma.TransactionClient;

export interface ConnectionRef {
  id: string;
  name: string;
  type: 'HTTP' | 'POSTGRES' | 'MYSQL';
  mode: 'CLOUD' | 'ON_PREMISE';
}

export function invalidReference(issues: ErrorIssue[]): AppError {
  const first = issues[0];
  return new AppError(
    'invalid_reference',
    first ? `${first.path}: ${first.message}` : 'Invalid reference',
    issues,
  );
}

/** The connection an export or import names, from the scope; else 422 naming `connectionId`. */
export async function referencedConnection(
  tx: Tx,
  scopeId: string,
  connectionId: string,
): Promise<ConnectionRef> {
  const [connection] = await tx.$queryRaw<ConnectionRef[]>`
    SELECT id::text, name, type::text, mode::text FROM "Connection"
    WHERE id = ${connectionId}::uuid AND "scopeId" = ${scopeId}::uuid
    FOR KEY SHARE`;
  if (!connection)
    throw invalidReference([
      { path: 'connectionId', message: 'No connection with this id in this environment' },
    ]);
  return connection;
}

/** Which of these exports, scripts or imports are of the scope (locked as above). */
export async function idsInScope(
  tx: Tx,
  table: 'Export' | 'Script' | 'Import',
  scopeId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM ${Prisma.raw(`"${table}"`)}
    WHERE id = ANY(${ids}::uuid[]) AND "scopeId" = ${scopeId}::uuid
    FOR KEY SHARE`;
  return new Set(rows.map((row) => row.id));
}

export type SettingsKind = 'http' | 'sql';

/** HTTP connections take `http` settings; PostgreSQL and MySQL connections take `sql` settings. */
export function settingsKindOf(connectionType: 'HTTP' | 'POSTGRES' | 'MYSQL'): SettingsKind {
  return connectionType === 'HTTP' ? 'http' : 'sql';
}

/**
 * The settings of an export or import for its connection: the ones given, or else the stored
 * ones when they still fit. 422 `invalid_settings` naming `http` or `sql` when they do not.
 */
export function settingsForConnection<Http, Sql>(
  connection: { name: string; type: 'HTTP' | 'POSTGRES' | 'MYSQL' },
  given: { http?: Http | undefined; sql?: Sql | undefined },
  stored: { http: Http } | { sql: Sql } | null,
): { http: Http } | { sql: Sql } {
  const kind = settingsKindOf(connection.type);
  const what =
    connection.type === 'HTTP'
      ? 'an HTTP connection'
      : `a ${connection.type === 'MYSQL' ? 'MySQL' : 'PostgreSQL'} connection`;
  const other: SettingsKind = kind === 'http' ? 'sql' : 'http';
  if (given[other] !== undefined)
    throw invalidSettings(
      other,
      `"${connection.name}" is ${what}: give \`${kind}\` settings, not \`${other}\``,
    );
  if (kind === 'http' && given.http !== undefined) return { http: given.http };
  if (kind === 'sql' && given.sql !== undefined) return { sql: given.sql };
  if (stored && kind in stored) return stored;
  throw invalidSettings(kind, `"${connection.name}" is ${what}: give its \`${kind}\` settings`);
}

function invalidSettings(path: SettingsKind, message: string): AppError {
  return new AppError('invalid_settings', `${path}: ${message}`, [{ path, message }]);
}

/** 409 `in_use`: a resource that others use stays, and the message names them. */
export function inUse(
  kind: ResourceKind | 'connection',
  name: string,
  users: { kind: string; names: string[] }[],
): AppError {
  const named = users
    .filter((user) => user.names.length > 0)
    .map(
      (user) =>
        `the ${user.kind}${user.names.length === 1 ? '' : 's'} ${user.names.map((n) => `"${n}"`).join(', ')}`,
    )
    .join(' and ');
  return new AppError('in_use', `The ${kind} "${name}" is used by ${named}: change or delete them first`);
}
