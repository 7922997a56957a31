import type { Database } from '@outpost/db/client';

/**
 * One query that sums up every row an account owns, table by table (`rows:md5`), to compare
 * before and after a refused request. Columns that a request touches without changing anything
 * (when a session or token was last used) are left out, and so are `auth.*` audit events: a
 * refused sign-in is audited on purpose.
 */
const SCOPED = `"scopeId" in (select id from "Scope" where "accountId" = $1::uuid)`;
const TABLES: Record<string, string> = {
  Account: `id = $1::uuid`,
  Membership: `"accountId" = $1::uuid`,
  Scope: `"accountId" = $1::uuid`,
  Environment: `"accountId" = $1::uuid`,
  Session: `"accountId" = $1::uuid`,
  AccountMigration: `"accountId" = $1::uuid`,
  AuditEvent: `"accountId" = $1::uuid and action not like 'auth.%'`,
  ApiToken: SCOPED,
  Agent: SCOPED,
  Connection: SCOPED,
  Export: SCOPED,
  Import: SCOPED,
  Script: SCOPED,
  Flow: SCOPED,
  FlowRun: SCOPED,
  FlowScript: `"flowId" in (select id from "Flow" where ${SCOPED})`,
  FlowImport: `"flowId" in (select id from "Flow" where ${SCOPED})`,
};
const ROW = `(to_jsonb(t) - 'lastSeenAt' - 'lastUsedAt' - 'expiresAt')::text`;
const QUERY = `select ${Object.entries(TABLES)
  .map(
    ([table, where]) =>
      `(select count(*) || ':' || coalesce(md5(string_agg(${ROW}, ',' order by ${ROW})), '') from "${table}" t where ${where}) as "${table}"`,
  )
  .join(', ')}`;

export async function tenantDigest(db: Database, accountId: string): Promise<Record<string, string>> {
  const [row] = await db.$queryRawUnsafe<Record<string, string>[]>(QUERY, accountId);
  if (!row) throw new Error('no digest');
  return row;
}
