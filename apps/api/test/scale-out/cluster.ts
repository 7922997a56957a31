import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** The Redis the scale-out tests use; each run keeps to keys of its own prefix. */
export const REDIS_URL = process.env.OUTPOST_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The bundle `pnpm build` writes: what operators run. */
export const SERVER_BUNDLE = path.resolve(import.meta.dirname, '../../dist/server.js');
/** The same key for every instance: it seals secrets and derives the link secret. */
export const SECRET_KEY = randomBytes(32).toString('hex');

/** Fails (never skips) when Redis is not there, saying where it was looked for. */
export async function requireRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `The scale-out tests need Redis at ${REDIS_URL} (set OUTPOST_TEST_REDIS_URL; .ci/run starts one): ${(error as Error).message}`,
    );
  } finally {
    redis.disconnect();
  }
}

export function testPrefix(): string {
  return `outpost:test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key of a test run. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Instance {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  /** Kills it (by pid) unless it already exited. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  databaseUrl: string;
  prefix: string;
  env?: Record<string, string>;
}

/** One API process from the built bundle, on its own port; resolves once /readyz answers 200. */
export async function startInstance(name: string, options: ClusterOptions, port?: number): Promise<Instance> {
  if (!existsSync(SERVER_BUNDLE))
    throw new Error(
      `${SERVER_BUNDLE} is missing: build the API first (pnpm turbo build --filter=@outpost/api...)`,
    );
  const listenPort = port ?? (await freePort());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `outpost-scale-${name}-`));
  const child = spawn(process.execPath, [SERVER_BUNDLE], {
    env: {
      PATH: process.env.PATH,
      PORT: String(listenPort),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL,
      OUTPOST_REDIS_PREFIX: options.prefix,
      OUTPOST_INTERNAL_URL: `http://127.0.0.1:${listenPort}`,
      OUTPOST_SECRET_KEY: SECRET_KEY,
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_AGENT_HEARTBEAT_MS: '1000',
      OUTPOST_AUTH_RATE_LIMIT: '1000',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${listenPort}`;
  const instance: Instance = {
    name,
    port: listenPort,
    url,
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`instance ${name} exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ready) return instance;
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`instance ${name} did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** JSON over HTTP with an API token, against one instance. */
export async function api<T = unknown>(
  baseUrl: string,
  token: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs` naming `what`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
