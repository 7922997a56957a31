import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrations, runMigrations } from './migrate.ts';
import { sourceMigrationsDir } from './migrations-dir.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let database: TestDatabase;
let migrationsDir: string;

beforeEach(async () => {
  database = await createTestDatabase({ empty: true });
  migrationsDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-migrations-'));
});

afterEach(async () => {
  await database.drop();
  await rm(migrationsDir, { recursive: true, force: true });
});

async function addMigration(name: string, sql: string) {
  await mkdir(path.join(migrationsDir, name));
  await writeFile(path.join(migrationsDir, name, 'migration.sql'), sql);
}

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('runMigrations', () => {
  it('applies the committed migrations in order and records them as prisma migrate deploy does', async () => {
    const result = await runMigrations(database.url, sourceMigrationsDir);
    const committed = await readMigrations(sourceMigrationsDir);
    expect(result.applied).toEqual(committed.map((migration) => migration.name));
    const rows = await query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual(
      committed.map((migration) => ({
        migration_name: migration.name,
        checksum: migration.checksum,
        applied_steps_count: 1,
      })),
    );
    const tables = await query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.map((table) => table.tablename)).toEqual(
      expect.arrayContaining(['Account', 'User', 'Environment']),
    );
  });

  it('applies nothing the second time', async () => {
    await runMigrations(database.url, sourceMigrationsDir);
    const again = await runMigrations(database.url, sourceMigrationsDir);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThan(0);
  });

  it('rolls back a failing migration whole and stops at it', async () => {
    await addMigration('001_first', 'CREATE TABLE first (id int);');
    await addMigration('002_broken', 'CREATE TABLE second (id int); SELECT * FROM missing_table;');
    await addMigration('003_never', 'CREATE TABLE third (id int);');
    await expect(runMigrations(database.url, migrationsDir)).rejects.toThrow(
      /002_broken failed and was rolled back/,
    );
    const tables = await query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    const names = tables.map((table) => table.tablename);
    expect(names).toContain('first');
    expect(names).not.toContain('second');
    expect(names).not.toContain('third');
  });

  it('refuses to start when an applied migration was edited', async () => {
    await addMigration('001_first', 'CREATE TABLE first (id int);');
    await runMigrations(database.url, migrationsDir);
    await writeFile(
      path.join(migrationsDir, '001_first', 'migration.sql'),
      'CREATE TABLE first (id bigint);',
    );
    await expect(runMigrations(database.url, migrationsDir)).rejects.toThrow(/modified after it was applied/);
  });

  it('applies each migration once when instances start together', async () => {
    await addMigration('001_first', 'CREATE TABLE first (id int);');
    const results = await Promise.all([
      runMigrations(database.url, migrationsDir),
      runMigrations(database.url, migrationsDir),
    ]);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 1]);
  });
});
