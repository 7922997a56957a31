import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp } from '../../../api/test/helpers.ts';
import { lockHolder } from '../../src/lock.ts';
import { BUILT_BUNDLE, isRunning, runAgent } from './agent-process.ts';
import { RestartableApi } from './api.ts';

/**
 * Auto-upgrade with real processes: the API offers a bundle built from the same source under a
 * higher version; the agent that runs the bundle `pnpm build` made replaces itself with it.
 */
const CURRENT: string = JSON.parse(
  await readFile(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'),
).version;
const NEXT = CURRENT.replace(/\d+$/, (patch) => String(Number(patch) + 1));
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

let api: RestartableApi;
let owner: SignedUp;
let baseUrl: string;
let folder: string;
/** The dist folder the API serves: the NEXT version. */
let nextDist: string;
let nextSha: string;
let currentSha: string;
let bundleDownloads = 0;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-upgrade-'));
  nextDist = path.join(folder, 'dist');
  execFileSync(
    process.execPath,
    [path.resolve(import.meta.dirname, '../../scripts/build.mjs'), '--outdir', nextDist, '--version', NEXT],
    { stdio: 'ignore' },
  );
  nextSha = JSON.parse(await readFile(path.join(nextDist, 'manifest.json'), 'utf8')).sha256;
  expect(await sha256(path.join(nextDist, 'outpost-agent.cjs'))).toBe(nextSha);
  currentSha = await sha256(BUILT_BUNDLE);
  expect(nextSha).not.toBe(currentSha);

  api = await RestartableApi.create({
    env: { OUTPOST_AGENT_HEARTBEAT_MS: '1000' },
    agentDistDir: nextDist,
  });
  baseUrl = await api.start();
  api.app.server.on('request', (request: IncomingMessage) => {
    if (request.url === '/v1/agent/bundle') bundleDownloads += 1;
  });
  owner = await signUp(api.app);
});
afterAll(async () => {
  await api?.close();
  await rm(folder, { recursive: true, force: true });
});

const asOwner = () => ({ as: { cookie: owner.cookie } });
const getAgent = async (id: string) => (await call(api.app, 'GET', `/v1/agents/${id}`, asOwner())).json();

async function newAgent(name: string) {
  const { id } = (await call(api.app, 'POST', '/v1/agents', { ...asOwner(), body: { name } })).json();
  const { token } = (await call(api.app, 'GET', `/v1/agents/${id}/token`, asOwner())).json();
  return { id: id as string, token: token as string };
}

/** A folder of its own holding a copy of the current bundle, as an install would. */
async function installCurrent() {
  const installed = await mkdtemp(path.join(folder, 'install-'));
  const bundle = path.join(installed, 'outpost-agent.cjs');
  await copyFile(BUILT_BUNDLE, bundle);
  return { folder: installed, bundle };
}

describe('auto-upgrade', () => {
  it('downloads the newer version, checks it, swaps it in and comes back online running it', async () => {
    const { id, token } = await newAgent('upgrades');
    const install = await installCurrent();
    const downloadsBefore = bundleDownloads;
    const agent = await runAgent(baseUrl, token, { bundle: install.bundle });
    try {
      await expect
        .poll(() => getAgent(id), { timeout: 30_000, interval: 200 })
        .toMatchObject({ status: 'online', version: NEXT });
      expect(await agent.exited).toBe(0);
      expect(agent.output()).toContain(`upgraded from ${CURRENT} to ${NEXT}; restarting`);
      expect(agent.output()).toMatch(new RegExp(`agent ${NEXT} \\(pid \\d+\\) has taken over; exiting`));
      expect(bundleDownloads - downloadsBefore).toBe(1);

      expect(await sha256(install.bundle)).toBe(nextSha);
      expect(await sha256(`${install.bundle}.previous`)).toBe(currentSha);
      expect((await readdir(install.folder)).sort()).toEqual([
        'outpost-agent.cjs',
        'outpost-agent.cjs.previous',
      ]);

      // The new process holds the lock, runs the new bundle and does the work.
      const successor = lockHolder(agent.home);
      expect(successor).not.toBe(agent.child.pid);
      expect(successor !== null && isRunning(successor)).toBe(true);
      const pong = await api.app.hub.request(
        id,
        { kind: 'ping', input: {} },
        { deadline: Date.now() + 5_000 },
      );
      expect(pong.result).toMatchObject({ receivedAt: expect.any(String) });
      // Its own welcome announces nothing newer: it downloads nothing more.
      expect(agent.output().split(`as agent ${id}`).length - 1).toBe(2);
      expect(bundleDownloads - downloadsBefore).toBe(1);
    } finally {
      await agent.stop();
    }
  });

  it('refuses a bundle whose digest is not the announced one and stays online on its version', async () => {
    const served = path.join(nextDist, 'outpost-agent.cjs');
    const intact = await readFile(served);
    await writeFile(served, Buffer.concat([intact, Buffer.from('\n// tampered with\n')]));
    const { id, token } = await newAgent('refuses');
    const install = await installCurrent();
    const downloadsBefore = bundleDownloads;
    const agent = await runAgent(baseUrl, token, { bundle: install.bundle });
    try {
      await expect
        .poll(agent.output, { timeout: 20_000 })
        .toContain(`auto-upgrade to ${NEXT} failed: digest mismatch; staying on ${CURRENT}`);
      expect(bundleDownloads - downloadsBefore).toBe(1);
      expect(await sha256(install.bundle)).toBe(currentSha);
      expect(await readdir(install.folder)).toEqual(['outpost-agent.cjs']);
      expect(await getAgent(id)).toMatchObject({ status: 'online', version: CURRENT });
      const pong = await api.app.hub.request(
        id,
        { kind: 'ping', input: {} },
        { deadline: Date.now() + 5_000 },
      );
      expect(pong.result).toMatchObject({ receivedAt: expect.any(String) });
      expect(agent.child.exitCode).toBeNull();
      expect(lockHolder(agent.home)).toBe(agent.child.pid);
    } finally {
      await agent.stop();
      await writeFile(served, intact);
    }
  });

  it('downloads nothing when auto-upgrade is off for the agent in Outpost', async () => {
    const { id, token } = await newAgent('held back');
    const patched = await call(api.app, 'PATCH', `/v1/agents/${id}`, {
      ...asOwner(),
      body: { autoUpgrade: false },
    });
    expect(patched.statusCode).toBe(200);
    const install = await installCurrent();
    const downloadsBefore = bundleDownloads;
    const agent = await runAgent(baseUrl, token, { bundle: install.bundle });
    try {
      // The agent decides on its welcome; once it has said so, nothing more happens.
      await expect
        .poll(agent.output, { timeout: 15_000 })
        .toContain(
          `agent ${NEXT} is available (this is ${CURRENT}); auto-upgrade is off for this agent in Outpost`,
        );
      expect(bundleDownloads - downloadsBefore).toBe(0);
      expect(await sha256(install.bundle)).toBe(currentSha);
      expect(await getAgent(id)).toMatchObject({ status: 'online', version: CURRENT, autoUpgrade: false });
    } finally {
      await agent.stop();
    }
  });

  it('downloads nothing when the local config says autoUpgrade: false', async () => {
    const { id, token } = await newAgent('held back locally');
    const home = await mkdtemp(path.join(folder, 'home-'));
    await writeFile(path.join(home, 'outpost-agent.json'), JSON.stringify({ autoUpgrade: false }), {
      mode: 0o600,
    });
    const install = await installCurrent();
    const downloadsBefore = bundleDownloads;
    const agent = await runAgent(baseUrl, token, { bundle: install.bundle, home });
    try {
      await expect
        .poll(agent.output, { timeout: 15_000 })
        .toContain(
          `agent ${NEXT} is available (this is ${CURRENT}); auto-upgrade is off in the local config`,
        );
      expect(bundleDownloads - downloadsBefore).toBe(0);
      expect(await sha256(install.bundle)).toBe(currentSha);
      expect(await getAgent(id)).toMatchObject({ status: 'online', version: CURRENT });
    } finally {
      await agent.stop();
    }
  });
});
