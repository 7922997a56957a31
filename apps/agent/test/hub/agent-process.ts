import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, lockHolder } from '../../src/lock.ts';

/** The bundle `pnpm build` writes; the tests run it with plain node, as a customer does. */
export const BUILT_BUNDLE = path.resolve(import.meta.dirname, '../../dist/outpost-agent.cjs');

export interface AgentProcess {
  child: ChildProcess;
  /** Its agent home (config, lock, machine id): a temp folder of its own unless given. */
  home: string;
  /** Everything it and any process it handed over to wrote, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
  /** Kills it and whatever agent holds its home's lock (the one it restarted into), by pid. */
  stop(): Promise<void>;
}

export interface RunAgentOptions {
  bundle?: string;
  home?: string;
  args?: string[];
}

/** `node <bundle> start --url <url>` with the token in the environment and nothing else inherited. */
export async function runAgent(
  url: string,
  token: string,
  options: RunAgentOptions = {},
): Promise<AgentProcess> {
  const home = options.home ?? (await mkdtemp(path.join(os.tmpdir(), 'outpost-agent-hub-')));
  const child = spawn(
    process.execPath,
    [options.bundle ?? BUILT_BUNDLE, 'start', '--url', url, ...(options.args ?? [])],
    {
      env: { PATH: process.env.PATH, OUTPOST_AGENT_HOME: home, OUTPOST_AGENT_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    home,
    output: () => output,
    exited,
    async stop() {
      const successor = lockHolder(home);
      for (const pid of [child.pid, successor]) {
        if (pid === undefined || pid === null || !isRunning(pid)) continue;
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      if (child.exitCode === null && child.signalCode === null) await exited;
      if (successor !== null && successor !== child.pid)
        await waitFor(() => !isRunning(successor), 'the agent it restarted into to exit');
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (!options.home) await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * Alive and not a zombie: a process whose parent exited before it is reaped by whatever adopted
 * it, which may take its time.
 */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No /proc (macOS), or it has just gone.
    return isAlive(pid);
  }
}

/** Polls `condition` every 20 ms for up to `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
