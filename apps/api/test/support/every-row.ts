import type { Database } from '@outpost/db/client';

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
