import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabaseClient } from '@outpost/db/client';
import { startEmbeddedDatabase } from '@outpost/db/embedded';
import { runMigrations } from '@outpost/db/migrate';
import pino from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { SecretBox } from './lib/secret-box.ts';
import { loadSecretKey } from './lib/secret-key.ts';
import { markAllAgentsOffline } from './modules/hub/presence.ts';

/** The bundle ships the committed migrations and the built agent beside itself (scripts/build.mjs). */
const DIST_DIR = path.dirname(fileURLToPath(import.meta.url));
const MIGRATIONS_DIR = path.join(DIST_DIR, 'migrations');
const AGENT_DIST_DIR = path.join(DIST_DIR, 'agent');
/** After the drain: closing the server, Redis and the database. */
const CLOSE_GRACE_MS = 10_000;

async function main() {
  const config = loadConfig(process.env);
  const log = pino({ level: config.logLevel });
  if (config.redisUrl && !config.secretKey)
    throw new Error(
      'REDIS_URL is set but OUTPOST_SECRET_KEY is not: every API instance needs the same key (see docs/DEPLOYMENT.md)',
    );

  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedDatabase({
        dataDir: config.dataDir,
        onLog: (line) => log.debug({ component: 'postgres' }, line.trim()),
      });
  if (embedded) log.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
  const databaseUrl = config.databaseUrl ?? embedded?.url ?? '';

  const migrations = await runMigrations(databaseUrl, MIGRATIONS_DIR);
  log.info({ applied: migrations.applied, alreadyApplied: migrations.alreadyApplied }, 'database migrated');

  const db = createDatabaseClient({ url: databaseUrl, poolSize: config.databasePoolSize });
  // One instance holds every session, so any left marked online were the previous process's.
  if (!config.redisUrl) await markAllAgentsOffline(db);
  const secrets = new SecretBox(await loadSecretKey(config.secretKey, config.dataDir));
  const app = await buildApp({ config, db, secrets, agentDistDir: AGENT_DIST_DIR });
  if (app.scale) app.log.info({ instanceId: app.scale.instanceId }, 'scale-out through Redis');

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal, graceMs: config.drainGraceMs }, 'draining: agents reconnect elsewhere');
    const forced = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.drainGraceMs + CLOSE_GRACE_MS);
    forced.unref();
    try {
      // /readyz answers 503 from here on, so that load balancers stop sending; requests in flight
      // (here, and those the agents here run for other instances) finish within the grace period.
      await app.hub.drain(config.drainGraceMs);
      app.log.info('drained; closing');
      await app.close();
      await db.$disconnect();
      await embedded?.stop();
      app.log.info('stopped');
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ publicUrl: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'Outpost API ready');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
