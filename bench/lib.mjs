// Shared by the benchmark cases: start the built API on a database of its own, time requests,
// summarise latencies. Plain JavaScript over the built apps, so `pnpm bench` needs no compiler.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts `apps/api/dist/server.js` on its embedded PostgreSQL in a temp folder; `stop()` cleans up. */
export async function startApi({ port = 4900, env = {} } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-bench-'));
  const child = spawn(process.execPath, [path.join(root, 'apps/api/dist/server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      OUTPOST_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      OUTPOST_AUTH_RATE_LIMIT: '100000',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the API did not start');
    if (
      await fetch(`${url}/readyz`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs up a fresh account and returns headers that act as its owner. */
export async function signUp(url) {
  const response = await fetch(`${url}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-outpost-client': 'bench' },
    body: JSON.stringify({
      email: `bench-${randomBytes(4).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
      accountName: 'Bench',
    }),
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status}`);
  const cookie = response.headers
    .getSetCookie()
    .find((value) => value.startsWith('outpost_session='))
    ?.split(';')[0];
  return { cookie, 'x-outpost-client': 'bench', 'content-type': 'application/json' };
}

/** Percentiles of a list of milliseconds. */
export function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1), count: sorted.length };
}

export const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
