import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { API_PORT, API_URL, WEB_PORT, WEB_URL } from './env.ts';

export const repository = path.resolve(import.meta.dirname, '..');
const LOG_DIR = path.join(import.meta.dirname, '.logs');

export interface RunningProduct {
  stop: () => Promise<void>;
}

/**
 * Starts the built API on its embedded PostgreSQL (in a fresh data directory) and the built web
 * app in front of it; answers once both serve requests. `stop` ends both, by their pids, and
 * deletes the data directory.
 */
export async function startProduct(): Promise<RunningProduct> {
  await refuseBusyPort(`${API_URL}/healthz`, API_PORT);
  await refuseBusyPort(WEB_URL, WEB_PORT);
  await mkdir(LOG_DIR, { recursive: true });

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-e2e-'));
  // The embedded PostgreSQL runs as its own user when started as root; it must reach the folder.
  await chmod(dataDir, 0o755);

  const children: ChildProcess[] = [];
  const stop = async () => {
    // Web first: nothing should call the API while it shuts down its database.
    for (const child of [...children].reverse()) await stopProcess(child);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const apiEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(API_PORT),
      HOST: '127.0.0.1',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_PUBLIC_URL: API_URL,
      OUTPOST_AUTH_RATE_LIMIT: '1000',
      // The flow tests' HTTP system (loopback-shop.ts); Cloud connections to 127.0.0.1 stay refused.
      OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.2/32',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    // Never someone else's database or Redis: the embedded one, single instance.
    delete apiEnv.DATABASE_URL;
    delete apiEnv.REDIS_URL;
    delete apiEnv.OUTPOST_SECRET_KEY;
    const api = launch(
      'api',
      process.execPath,
      ['--enable-source-maps', 'dist/server.js'],
      'apps/api',
      apiEnv,
    );
    children.push(api);
    await waitUntilServing(`${API_URL}/readyz`, api, 120_000);

    const web = launch(
      'web',
      process.execPath,
      ['node_modules/next/dist/bin/next', 'start', '-p', String(WEB_PORT), '-H', '127.0.0.1'],
      'apps/web',
      { ...process.env, OUTPOST_API_URL: API_URL, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    );
    children.push(web);
    await waitUntilServing(`${WEB_URL}/sign-in`, web, 60_000);
    await waitUntilServing(`${WEB_URL}/api/healthz`, web, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

/** Builds the API and the web app unless they are current (turbo's cache makes that quick). */
export function buildProduct() {
  const result = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@outpost/api',
      '--filter=@outpost/web',
      '--output-logs=errors-only',
    ],
    { cwd: repository, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } },
  );
  if (result.status !== 0) throw new Error('Building the API and the web app failed (see above)');
  for (const artefact of ['apps/api/dist/server.js', 'apps/web/.next/BUILD_ID']) {
    if (!existsSync(path.join(repository, artefact)))
      throw new Error(`${artefact} is missing after the build`);
  }
}

function launch(name: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const log = createWriteStream(path.join(LOG_DIR, `${name}.log`));
  const child = spawn(command, args, {
    cwd: path.join(repository, cwd),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', (code, signal) => log.end(`\n[${name} exited: code ${code}, signal ${signal}]\n`));
  return child;
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: the process exited with code ${child.exitCode}; see e2e/.logs/`);
    }
    try {
      if ((await fetch(url, { redirect: 'manual' })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s; see e2e/.logs/`);
}

async function refuseBusyPort(url: string, port: number) {
  const answered = await fetch(url, { redirect: 'manual' }).then(
    () => true,
    () => false,
  );
  if (answered)
    throw new Error(`Port ${port} is taken: stop whatever listens there before running the e2e suite`);
}

/** SIGTERM (the API then stops its database cleanly), SIGKILL after 20 s. */
async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
