import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateToken } from '@outpost/protocol/tokens';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const bundle = path.resolve(import.meta.dirname, '../dist/outpost-agent.cjs');
let folder: string;
let home: string;
let closedPort: number;
const children: ChildProcess[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/build.mjs')], {
    stdio: 'ignore',
  });
  folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-bundle-'));
  await copyFile(bundle, path.join(folder, 'outpost-agent.cjs'));
  // A port nothing listens on: the agent keeps retrying it.
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  closedPort = typeof address === 'object' && address ? address.port : 1;
  server.close();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (home) await rm(home, { recursive: true, force: true });
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** Runs the bundle with plain node, a clean environment and its own agent home. */
function agent(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, ['outpost-agent.cjs', ...args], {
    cwd: folder,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, OUTPOST_AGENT_HOME: home, ...env },
    ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
  });
}

function startAgent(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['outpost-agent.cjs', 'start', '--url', `http://127.0.0.1:${closedPort}`],
    {
      cwd: folder,
      env: { PATH: process.env.PATH, OUTPOST_AGENT_HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

describe('the bundled agent', () => {
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
  });

  it('prints its package version with plain node from a folder with no node_modules', async () => {
    const { version } = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../package.json'), 'utf8'),
    );
    expect(agent(['--version']).stdout.trim()).toBe(version);
    expect(agent(['version']).stdout.trim()).toBe(version);
  });

  it('prints its help', () => {
    const result = agent(['help']);
    expect(result.status).toBe(0);
    for (const command of ['start', 'token set', 'status', 'service install', 'version'])
      expect(result.stdout).toContain(command);
  });

  it('exits 2 and prints the usage for an unknown command or option', () => {
    expect(agent(['frobnicate']).status).toBe(2);
    expect(agent(['start', '--frobnicate']).status).toBe(2);
  });
});

describe('the agent home', () => {
  it('stores a token set from stdin, mode 0600, and shows it masked in status', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
    const token = generateToken('agent');
    expect(agent(['token', 'set', 'opa_mistyped']).status).toBe(2);
    const set = agent(['token', 'set'], {}, `${token}\n`);
    expect(set.status).toBe(0);
    const file = path.join(home, 'outpost-agent.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ token });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const status = agent(['status'], { OUTPOST_URL: 'https://outpost.example' });
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`config:   ${file}`);
    expect(status.stdout).toContain('url:      https://outpost.example (from the environment)');
    expect(status.stdout).toContain(`token:    ••••${token.slice(-4)} (from the config file)`);
    expect(status.stdout).toContain('running:  no');
    expect(status.stdout).not.toContain(token);
  });

  it('refuses to start without a token when no one can paste one', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
    const result = agent(['start', '--url', 'http://127.0.0.1:1']);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/no agent token/);
  });

  it('runs one agent per home: a second start names the first one’s pid and exits 1', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
    const token = generateToken('agent');
    const first = startAgent({ OUTPOST_AGENT_TOKEN: token });
    await expect.poll(first.output, { timeout: 10_000 }).toMatch(/reconnecting in/);
    expect(first.output()).not.toContain(token);

    const second = agent(['start', '--url', `http://127.0.0.1:${closedPort}`], {
      OUTPOST_AGENT_TOKEN: token,
    });
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toBe(`another Outpost agent is already running (pid ${first.child.pid})`);
    expect(agent(['status']).stdout).toContain(`running:  yes (pid ${first.child.pid})`);

    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    expect(code).toBe(0);
    expect(first.output()).toMatch(/received SIGTERM: stopping\n.*stopped\n$/);
    expect(agent(['status']).stdout).toContain('running:  no');
  });

  it('takes over the lock of an agent that died', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
    const token = generateToken('agent');
    const first = startAgent({ OUTPOST_AGENT_TOKEN: token });
    await expect.poll(first.output, { timeout: 10_000 }).toMatch(/connecting to/);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const second = startAgent({ OUTPOST_AGENT_TOKEN: token });
    await expect.poll(second.output, { timeout: 10_000 }).toMatch(/reconnecting in/);
    second.child.kill('SIGINT');
    expect((await once(second.child, 'exit'))[0]).toBe(0);
  });

  it('logs JSON lines with --log-format json', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-home-'));
    const child = spawn(
      process.execPath,
      ['outpost-agent.cjs', 'start', '--log-format', 'json', '--url', `http://127.0.0.1:${closedPort}`],
      {
        cwd: folder,
        env: {
          PATH: process.env.PATH,
          OUTPOST_AGENT_HOME: home,
          OUTPOST_AGENT_TOKEN: generateToken('agent'),
        },
      },
    );
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect.poll(() => output.split('\n').length, { timeout: 10_000 }).toBeGreaterThan(2);
    const [line] = output.split('\n');
    expect(JSON.parse(line ?? '')).toMatchObject({
      level: 'info',
      msg: expect.stringMatching(/^connecting to ws:/),
    });
  });
});
