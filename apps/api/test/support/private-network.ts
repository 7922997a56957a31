import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AGENT_DIST_DIR } from '../helpers.ts';

/**
 * A private network, for real: a network namespace joined to this one by a veth pair, holding an
 * HTTP API, an OAuth 2.0 authorization server and a PostgreSQL server on an address the root
 * namespace has no route to. The built agent runs inside it and dials out to the API, which stays
 * outside. Needs root and iproute2 (`ip netns`); without them the set-up fails, it never skips.
 *
 * The servers answer to names on the agent's network: erp.corp.test and auth.corp.test (HTTP and
 * OAuth 2.0), db.corp.test (PostgreSQL, user `outpost`, password `pgPassword`).
 */

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const AGENT_BUNDLE = path.join(AGENT_DIST_DIR, 'outpost-agent.cjs');
const SERVERS_SCRIPT = path.resolve(
  import.meta.dirname,
  '../../../../packages/connectors/test/fixtures/test-servers.mjs',
);
export const HTTP_PORT = 8080;
export const OAUTH_PORT = 9000;
/** The agent's local policy refuses this port of the LAN. */
export const DENIED_PORT = 9999;

export interface NetworkAddresses {
  /** The root namespace's end of the veth pair: where the agent reaches the API. */
  root: string;
  inside: string;
  /** The LAN address of the servers, unreachable from outside. */
  lan: string;
  lanNetwork: string;
}

/** The agent process inside the namespace. */
export interface AgentProcess {
  pid: number;
  /** SIGKILL: gone at once, no goodbye to the API. */
  kill(): Promise<void>;
  /** Starts it again with the same home (its stored credentials). */
  restart(): Promise<void>;
}

export interface PrivateNetwork {
  namespace: string;
  net: NetworkAddresses;
  pgPassword: string;
  /** What the agent printed so far (all its runs). */
  agentLog(): string;
  startServers(): Promise<void>;
  startPostgres(): Promise<void>;
  /** Starts the built agent inside, dialling `apiUrl` with its token. */
  startAgent(apiUrl: string, token: string): Promise<AgentProcess>;
  /** Removes all of it: processes (by pid), the namespace, the veth pair, routes and files. */
  close(): Promise<void>;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Polls until `ready` holds (expect.poll works only inside a test, not in beforeAll). */
export async function waitFor(
  ready: () => boolean | Promise<boolean>,
  what: string,
  log: () => string = () => '',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** Builds the namespace and its links; start the servers, PostgreSQL and the agent as needed. */
export async function buildPrivateNetwork(): Promise<PrivateNetwork> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new Error('The private-network tests need Linux and root (ip netns); run the tests as root.');
  try {
    ip('netns', 'list');
  } catch (error) {
    throw new Error(`The private-network tests need iproute2's "ip netns": ${String(error)}`);
  }
  const id = randomBytes(3).toString('hex');
  const namespace = `outpost-test-${id}`;
  const rootLink = `op${id}a`;
  const namespaceLink = `op${id}b`;
  const pgPassword = `pg-${randomBytes(8).toString('hex')}`;
  const cleanups: (() => Promise<void> | void)[] = [];
  let agentLog = '';

  const inside = (...command: string[]) => ['netns', 'exec', namespace, ...command];

  /** Starts a process in the namespace; it is stopped by pid in close(). */
  const spawnInside = (
    command: string[],
    options: { env?: NodeJS.ProcessEnv; stopSignal?: NodeJS.Signals } = {},
  ): ChildProcess => {
    const child: ChildProcess = spawn('ip', inside(...command), {
      env: options.env ?? { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      process.kill(child.pid, options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    });
    return child;
  };

  /** 10.a.b.0/30 for the link and 172.c.b.10 for the LAN: neither may be in use on this machine. */
  const chooseAddresses = (): NetworkAddresses => {
    const inUse = `${ip('-4', 'addr')}\n${ip('-4', 'route')}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const [a, b, c] = [randomInt(16, 250), randomInt(1, 250), randomInt(16, 32)];
      if (inUse.includes(`10.${a}.${b}.`) || inUse.includes(`172.${c}.${b}.`)) continue;
      return {
        root: `10.${a}.${b}.1`,
        inside: `10.${a}.${b}.2`,
        lan: `172.${c}.${b}.10`,
        lanNetwork: `172.${c}.${b}.0/24`,
      };
    }
    throw new Error('no free private addresses for the test network');
  };

  const close = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('private-network clean-up:', error);
      }
    }
  };

  const net = chooseAddresses();
  try {
    ip('netns', 'add', namespace);
    cleanups.push(() => void ip('netns', 'delete', namespace));
    ip('link', 'add', rootLink, 'type', 'veth', 'peer', 'name', namespaceLink);
    cleanups.push(() => {
      // Deleting one end deletes the pair; gone already when the namespace went first.
      if (ip('-br', 'link').includes(rootLink)) ip('link', 'delete', rootLink);
    });
    ip('link', 'set', namespaceLink, 'netns', namespace);
    ip('addr', 'add', `${net.root}/30`, 'dev', rootLink);
    ip('link', 'set', rootLink, 'up');
    ip(...inside('ip', 'addr', 'add', `${net.inside}/30`, 'dev', namespaceLink));
    ip(...inside('ip', 'link', 'set', namespaceLink, 'up'));
    ip(...inside('ip', 'link', 'set', 'lo', 'up'));
    // The LAN's servers listen on an address of the namespace alone. The root namespace would send
    // it to its default gateway: this route keeps the attempt on this machine (refused at once).
    ip(...inside('ip', 'addr', 'add', `${net.lan}/32`, 'dev', 'lo'));
    ip('route', 'add', 'unreachable', net.lanNetwork);
    cleanups.push(() => void ip('route', 'delete', 'unreachable', net.lanNetwork));

    // Names on the agent's network: `ip netns exec` shows this file as /etc/hosts inside.
    const createdNetnsDir = !existsSync('/etc/netns');
    await mkdir(`/etc/netns/${namespace}`, { recursive: true });
    await writeFile(
      `/etc/netns/${namespace}/hosts`,
      `127.0.0.1 localhost\n${net.lan} erp.corp.test auth.corp.test db.corp.test\n`,
    );
    cleanups.push(async () => {
      await rm(`/etc/netns/${namespace}`, { recursive: true, force: true });
      if (createdNetnsDir) await rmdir('/etc/netns').catch(() => {});
    });
  } catch (error) {
    await close();
    throw error;
  }

  const startServers = async () => {
    const servers = spawnInside([
      process.execPath,
      SERVERS_SCRIPT,
      net.lan,
      String(HTTP_PORT),
      String(OAUTH_PORT),
    ]);
    const [line] = await Promise.race([
      once(createInterface({ input: servers.stdout as NodeJS.ReadableStream }), 'line') as Promise<[string]>,
      once(servers, 'exit').then(() => {
        throw new Error('the test servers did not start in the namespace');
      }),
    ]);
    const ports = JSON.parse(line);
    if (ports.httpPort !== HTTP_PORT || ports.oauthPort !== OAUTH_PORT)
      throw new Error(`the test servers listen on unexpected ports: ${line}`);
  };

  const startPostgres = async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'outpost-private-pg-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    await chmod(directory, 0o700);
    await chown(directory, uidOf('postgres'), gidOf('postgres'));
    await writeFile(path.join(directory, 'password'), pgPassword);
    await chown(path.join(directory, 'password'), uidOf('postgres'), gidOf('postgres'));
    const asPostgres = ['setpriv', '--reuid', 'postgres', '--regid', 'postgres', '--clear-groups'];
    const data = path.join(directory, 'data');
    execFileSync(
      'ip',
      inside(
        ...asPostgres,
        `${POSTGRES_BIN}/initdb`,
        '-D',
        data,
        '-U',
        'outpost',
        '--auth=scram-sha-256',
        `--pwfile=${path.join(directory, 'password')}`,
        '-E',
        'UTF8',
        '--no-sync',
      ),
      { stdio: 'ignore' },
    );
    await writeFile(path.join(data, 'pg_hba.conf'), 'host all all 0.0.0.0/0 scram-sha-256\n', {
      flag: 'a',
    });
    const server = spawnInside(
      [
        ...asPostgres,
        `${POSTGRES_BIN}/postgres`,
        '-D',
        data,
        '-c',
        `listen_addresses=${net.lan}`,
        '-c',
        'port=5432',
        '-c',
        `unix_socket_directories=${directory}`,
        '-c',
        'fsync=off',
      ],
      { stopSignal: 'SIGINT' },
    );
    let log = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    await waitFor(
      () => log.includes('ready to accept connections'),
      'PostgreSQL to start',
      () => log,
    );
  };

  const startAgent = async (apiUrl: string, token: string): Promise<AgentProcess> => {
    if (!existsSync(AGENT_BUNDLE))
      throw new Error(
        `The agent bundle is missing (${AGENT_BUNDLE}): run pnpm --filter @outpost/agent build`,
      );
    const home = await mkdtemp(path.join(os.tmpdir(), 'outpost-private-agent-'));
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    // The customer's local policy: one port of the LAN is off limits to this agent.
    await writeFile(
      path.join(home, 'outpost-agent.json'),
      `${JSON.stringify({ policy: { deny: [`*:${DENIED_PORT}`] }, autoUpgrade: false })}\n`,
      { mode: 0o600 },
    );
    let agent: ChildProcess;
    const start = () => {
      agent = spawnInside([process.execPath, AGENT_BUNDLE, 'start', '--url', apiUrl], {
        env: { PATH: process.env.PATH, OUTPOST_AGENT_HOME: home, OUTPOST_AGENT_TOKEN: token },
      });
      for (const stream of [agent.stdout, agent.stderr])
        stream?.on('data', (chunk: Buffer) => {
          agentLog += chunk.toString();
        });
    };
    start();
    return {
      get pid() {
        return agent.pid ?? 0;
      },
      async kill() {
        if (agent.exitCode !== null || agent.signalCode !== null || !agent.pid) return;
        const exited = once(agent, 'exit');
        process.kill(agent.pid, 'SIGKILL');
        await exited;
      },
      async restart() {
        start();
      },
    };
  };

  return {
    namespace,
    net,
    pgPassword,
    agentLog: () => agentLog,
    startServers,
    startPostgres,
    startAgent,
    close,
  };
}
