import { spawn } from 'node:child_process';
import { lockHolder } from './lock.ts';
import { seconds } from './log.ts';

export interface HandOverOptions {
  /** The bundle to run: the new version, now at the running bundle's path. */
  bundlePath: string;
  /** This agent's command line after the bundle (`start --url …`), passed on as it is. */
  args: readonly string[];
  /** The agent home, whose lock the new process must take. */
  home: string;
  timeoutMs?: number;
}

export type HandOver = { ok: true; pid: number } | { ok: false; reason: string };

/**
 * Starts the bundle in this agent's place (the caller has released the lock): detached, with the
 * same arguments and environment, writing where this agent writes (the terminal, a pipe, a log
 * file). Resolves once the new process holds the lock, or with why it did not: it exited, or took
 * too long, in which case it is killed.
 */
export function handOver(options: HandOverOptions): Promise<HandOver> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, options.bundlePath, ...options.args], {
      // A process group of its own, so that nothing sent to this one's group reaches it. On
      // Windows a detached child would get a console window of its own instead.
      detached: process.platform !== 'win32',
      stdio: [process.stdout.isTTY ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      windowsHide: true,
    });
    let settled = false;
    const finish = (result: HandOver) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(result);
    };
    child.once('error', (error) =>
      finish({ ok: false, reason: `it could not be started (${error.message})` }),
    );
    child.once('exit', (code, signal) =>
      finish({
        ok: false,
        reason: `the new agent exited (${signal ?? `exit code ${code}`}) before it took over`,
      }),
    );
    const poll = setInterval(() => {
      if (child.pid === undefined || lockHolder(options.home) !== child.pid) return;
      // From here on this process may exit without waiting for the new one.
      child.unref();
      finish({ ok: true, pid: child.pid });
    }, 50);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: `the new agent did not take over within ${seconds(timeoutMs)}` });
    }, timeoutMs);
  });
}
