import { execFileSync } from 'node:child_process';
import type { Database } from '@outpost/db/client';
import { TEST_ADMIN_URL_ENV } from '@outpost/db/testing';

/** Every row of every table, as text: what a database dump would hold. */
export async function everyRowAsText(db: Database): Promise<string> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const rows: string[] = [];
  for (const { table_name } of tables) {
    const result = await db.$queryRawUnsafe<{ row: string }[]>(
      `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
    );
    rows.push(...result.map((entry) => entry.row));
  }
  return rows.join('\n');
}

/** `pg_dump` of the database behind `db` (the test database, on the server the tests use). */
export async function pgDump(db: Database): Promise<string> {
  const [row] = await db.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
  const admin = process.env[TEST_ADMIN_URL_ENV];
  if (!row || !admin) throw new Error(`pg_dump needs ${TEST_ADMIN_URL_ENV} (set by the test setup)`);
  const url = new URL(admin);
  url.pathname = `/${row.name}`;
  return execFileSync('pg_dump', ['--no-owner', url.toString()], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
}
