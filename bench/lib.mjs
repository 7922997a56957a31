// Shared by the benchmark cases: start the built API on a database of its own, time requests,
// summarise latencies. Plain JavaScript over the built apps, so `pnpm bench` needs no compiler.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts `apps/api/dist/server.js` on its embedded PostgreSQL in a temp folder; `restart()` stops
 * and starts it again on the same data, `stop()` cleans up. `pid` is the current process's.
 * `output`: a file descriptor for its logs (default: this process's stdout and stderr). `nodeArgs`
 * go to Node itself (`--cpu-prof` to profile a run: NODE_OPTIONS does not allow it).
 */
export async function startApi({ port = 4900, env = {}, output = 'inherit', nodeArgs = [] } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-bench-'));
  const url = `http://127.0.0.1:${port}`;
  let child;
  async function launch() {
    child = spawn(process.execPath, [...nodeArgs, path.join(root, 'apps/api/dist/server.js')], {
      env: {
        ...process.env,
        PORT: String(port),
        OUTPOST_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        OUTPOST_AUTH_RATE_LIMIT: '100000',
        DATABASE_URL: '',
        ...env,
      },
      stdio: ['ignore', output, output],
    });
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
      await sleep(100);
    }
  }
  async function halt() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await launch();
  return {
    url,
    get pid() {
      return child.pid;
    },
    async restart({ onStopped } = {}) {
      await halt();
      onStopped?.();
      await launch();
    },
    async stop() {
      await halt();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process, in MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU time (user + system) of a process so far, in seconds. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

/** Samples the RSS of some processes every 50 ms until `stop()`, which returns the peak of each. */
export function sampleRss(pids) {
  const peaks = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name], rssMiB(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}

/** A JSON call to the API that throws on an unexpected status. */
export async function call(url, headers, method, route, body, expected = [200, 201, 204]) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
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

/** The most agents one environment holds (ENVIRONMENT_LIMITS in apps/api/src/modules/environments/limits.ts). */
export const AGENTS_PER_ENVIRONMENT = 100;

/**
 * Creates `count` agents with their tokens, in as many fresh accounts (one environment each) as
 * the per-environment limit needs. Each comes with the headers of its account. A create locks its
 * environment's row (the limit is counted under it), so each account gets a few creates at a time
 * and several accounts fill at once.
 */
export async function createAgents(url, count, { name = (index) => `agent-${index}` } = {}) {
  const agents = new Array(count);
  const accounts = [];
  for (let start = 0; start < count; start += AGENTS_PER_ENVIRONMENT) accounts.push(start);
  const fill = async (start) => {
    const headers = await signUp(url);
    const indexes = [];
    for (let index = start; index < Math.min(count, start + AGENTS_PER_ENVIRONMENT); index++)
      indexes.push(index);
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let index = indexes.shift(); index !== undefined; index = indexes.shift()) {
          const { id } = await call(url, headers, 'POST', '/v1/agents', { name: name(index) });
          const { token } = await call(url, headers, 'GET', `/v1/agents/${id}/token`);
          agents[index] = { id, token, index, headers };
        }
      }),
    );
  };
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let start = accounts.shift(); start !== undefined; start = accounts.shift()) await fill(start);
    }),
  );
  return agents;
}

/** Percentiles of a list of milliseconds. */
export function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1), count: sorted.length };
}

export const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
