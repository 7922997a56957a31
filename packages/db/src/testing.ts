import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from './embedded.ts';
import { readMigrations, runMigrations } from './migrate.ts';
import { sourceMigrationsDir } from './migrations-dir.ts';

/**
 * Test databases: one migrated template per set of migrations, and a fresh copy of it per test file.
 * The server is `OUTPOST_TEST_ADMIN_URL`, else the local PostgreSQL on 127.0.0.1:5432, else an
 * embedded one started for the test run.
 */

/** The local server, as the user this process runs as (libpq's default, which `pg` lacks). */
const LOCAL_SERVER = `postgresql://${encodeURIComponent(process.env.PGUSER ?? os.userInfo().username)}@127.0.0.1:5432/postgres`;
export const TEST_ADMIN_URL_ENV = 'OUTPOST_TEST_ADMIN_URL';
export const TEST_TEMPLATE_ENV = 'OUTPOST_TEST_TEMPLATE';

/** For vitest's globalSetup: finds a server, prepares the template, and tells the workers where. */
export async function prepareTestDatabases(): Promise<() => Promise<void>> {
  let adminUrl = process.env[TEST_ADMIN_URL_ENV];
  let stop: () => Promise<void> = async () => {};
  if (!adminUrl) {
    if (await canConnect(LOCAL_SERVER)) {
      adminUrl = LOCAL_SERVER;
    } else {
      // A cluster of this run's own: test runs in parallel never share one.
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-test-postgres-'));
      const embedded = await startEmbeddedDatabase({ dataDir });
      adminUrl = embedded.adminUrl;
      stop = async () => {
        await embedded.stop();
        await rm(dataDir, { recursive: true, force: true });
      };
    }
  }
  const template = await ensureTemplate(adminUrl);
  process.env[TEST_ADMIN_URL_ENV] = adminUrl;
  process.env[TEST_TEMPLATE_ENV] = template;
  return stop;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new database copied from the migrated template (or an empty one, with `empty`); drop it when
 * the test file is done.
 */
export async function createTestDatabase({ empty = false } = {}): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_ADMIN_URL_ENV];
  const template = process.env[TEST_TEMPLATE_ENV];
  if (!adminUrl || !template) {
    throw new Error('Test databases are not prepared: add @outpost/db/testing-setup to vitest globalSetup.');
  }
  const name = `outpost_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${empty ? 'template0' : template}"`),
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: async () => {
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function ensureTemplate(adminUrl: string): Promise<string> {
  const migrations = await readMigrations(sourceMigrationsDir);
  const digest = createHash('sha256')
    .update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const template = `outpost_template_${digest}`;
  await withAdmin(adminUrl, async (client) => {
    // Serialise template creation between concurrent test runs on one server.
    await client.query('SELECT pg_advisory_lock(72616702)');
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rowCount) return;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      await runMigrations(databaseUrl(adminUrl, building), sourceMigrationsDir);
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(72616702)');
    }
  });
  return template;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function canConnect(url: string): Promise<boolean> {
  // Generous: a busy machine must not make the tests skip a server that is there.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
