import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const repository = path.resolve(import.meta.dirname, '../..');
const API_PORT = 4710;
const WEB_PORT = 3710;

/** The first command of the README's Quick start: what a new user types to run the product. */
async function quickStartCommand(): Promise<string> {
  const readme = await readFile(path.join(repository, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => /^quick ?start/i.test(part));
  const block = section?.match(/```\w*\n([\s\S]*?)```/)?.[1];
  const command = block?.split('\n').find((line) => line.trim() && !line.trim().startsWith('#'));
  if (!command) throw new Error('README has no Quick start command');
  return command.trim();
}

/** A copy of the checkout as a fresh clone would have it: the tracked files, nothing built. */
async function cleanCheckout(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-quick-start-'));
  // As root, the embedded PostgreSQL runs as its own user, which must reach the binaries and data in here.
  await chmod(folder, 0o755);
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repository,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    if (!existsSync(path.join(repository, file))) continue; // deleted but not yet committed
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await copyFile(path.join(repository, file), path.join(folder, file));
  }
  return folder;
}

/** This process's environment without anything that would point the product elsewhere. */
function productEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(API_PORT),
    OUTPOST_WEB_PORT: String(WEB_PORT),
  };
  for (const name of ['DATABASE_URL', 'OUTPOST_DATA_DIR', 'REDIS_URL', 'OUTPOST_API_URL']) delete env[name];
  return env;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the start command exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

test('the README start command installs, builds and starts the product on its embedded database', async () => {
  test.setTimeout(15 * 60_000);
  const command = await quickStartCommand();
  const folder = await cleanCheckout();
  let output = '';
  const child = spawn('sh', ['-c', command], {
    cwd: folder,
    detached: true, // its own process group, so that the whole tree can be stopped
    env: productEnvironment(),
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  try {
    const health = await waitFor(`http://127.0.0.1:${API_PORT}/healthz`, child, 12 * 60_000);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await waitFor(`http://127.0.0.1:${API_PORT}/readyz`, child, 30_000)).status).toBe(200);
    expect((await waitFor(`http://127.0.0.1:${WEB_PORT}/sign-in`, child, 60_000)).status).toBe(200);
    await expect
      .poll(() => output, { timeout: 30_000 })
      .toContain(`Outpost is running: open http://localhost:${WEB_PORT}`);
    // The embedded database lives in the checkout's data directory.
    expect(existsSync(path.join(folder, 'data/postgres/PG_VERSION'))).toBe(true);
  } catch (error) {
    console.log(output.slice(-5000));
    throw error;
  } finally {
    // A process ended by a signal has a signalCode and no exitCode.
    const running = () => child.exitCode === null && child.signalCode === null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid && running()) process.kill(-child.pid, 'SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.pid && running()) process.kill(-child.pid, 'SIGKILL');
  }
  // Stopping the product stops its database cleanly.
  expect(existsSync(path.join(folder, 'data/postgres/postmaster.pid'))).toBe(false);
  await rm(folder, { recursive: true, force: true });
});
