import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type APIRequestContext, type BrowserContext, request } from '@playwright/test';
import { API_URL, PASSWORD, WEB_URL } from './env.ts';
import { addMember, uniqueEmail } from './fixtures.ts';
import { repository } from './servers.ts';

/** The bundled agent, as the downloads ship it (`pnpm --filter @outpost/agent build`). */
export const AGENT_BUNDLE = path.join(repository, 'apps/agent/dist/outpost-agent.cjs');

export interface RunningAgent {
  pid: number;
  /** Everything the agent wrote so far (stdout and stderr). */
  output: () => string;
  /** The exit code once it has exited; null while it runs (or when a signal ended it). */
  exitCode: () => number | null;
  /** Ends the process by its pid (SIGTERM, SIGKILL after 5 s) and deletes its home. */
  stop: () => Promise<void>;
}

/**
 * Runs the real agent (`outpost-agent start --url … --token …`) against the e2e API, with a home
 * folder of its own so that its lock and config never meet another agent's.
 */
export async function startAgent(token: string): Promise<RunningAgent> {
  if (!existsSync(AGENT_BUNDLE))
    throw new Error(`${AGENT_BUNDLE} is missing: run pnpm --filter @outpost/agent build first`);
  const home = await mkdtemp(path.join(os.tmpdir(), 'outpost-e2e-agent-'));
  const env: NodeJS.ProcessEnv = { ...process.env, OUTPOST_AGENT_HOME: home };
  // The flags, not whatever the shell that runs the suite has set.
  delete env.OUTPOST_URL;
  delete env.OUTPOST_AGENT_TOKEN;
  const child = spawn(process.execPath, [AGENT_BUNDLE, 'start', '--url', API_URL, '--token', token], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('the agent process did not start');
  const pid = child.pid;
  return {
    pid,
    output: () => output,
    exitCode: () => child.exitCode,
    stop: async () => {
      if (isRunning(child)) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => isRunning(child) && process.kill(pid, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * A member of the account `owner` is signed in to, with a session of their own: added with
 * `role`, then signed up (their invitation becomes a user with a password) and signed in over
 * HTTP. Sign-in lands in the account they joined first, the owner's. Dispose the answer's `api`.
 */
export async function signInAsMember(owner: APIRequestContext, role: 'ADMIN' | 'MANAGE' | 'MONITOR') {
  const email = uniqueEmail(role.toLowerCase());
  await addMember(owner, email, role);
  const api = await request.newContext({ baseURL: API_URL, extraHTTPHeaders: { 'x-outpost-client': 'e2e' } });
  const signUp = await api.post('/v1/auth/signup', {
    data: { email, password: PASSWORD, accountName: `${role} sandbox` },
  });
  const signIn = await api.post('/v1/auth/login', { data: { email, password: PASSWORD } });
  if (signUp.status() !== 201 || signIn.status() !== 200) {
    await api.dispose();
    throw new Error(`signing ${email} in answered ${signUp.status()} / ${signIn.status()}`);
  }
  return { email, api };
}

/** Puts the session `api` holds into the browser, for the web origin (the browser reaches the API through it). */
export async function useSessionOf(api: APIRequestContext, context: BrowserContext) {
  const { cookies } = await api.storageState();
  await context.addCookies(
    cookies.map(({ name, value, httpOnly, sameSite }) => ({ name, value, httpOnly, sameSite, url: WEB_URL })),
  );
}
