// The three ways to reach one target server on loopback, all through the same executor in the
// API (`POST /v1/connections/:id/http` and `/query`):
// - direct: a Cloud connection to the target (OUTPOST_ALLOW_PRIVATE_TARGETS=true);
// - agent: an On-premise connection through the hub and a real agent process;
// - ssh -R: a Cloud connection to a port that an OpenSSH reverse tunnel forwards to the target.
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { call, root, signUp, sleep, startApi } from './lib.mjs';

export const TRANSPORTS = ['direct', 'agent', 'ssh -R'];
const PG_PORT = 5432;

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() && true));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

/** A private sshd on a loopback port (own config, host key, authorized key) and `ssh -N -R`. */
async function startTunnel(folder, forwards) {
  if (!existsSync('/usr/sbin/sshd') || !existsSync('/usr/bin/ssh'))
    throw new Error(
      'needs openssh-server and openssh-client (apt-get install -y openssh-server openssh-client)',
    );
  await mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation directory
  for (const name of ['host_key', 'client_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(folder, name)]);
  const { readFile } = await import('node:fs/promises');
  await writeFile(path.join(folder, 'authorized_keys'), await readFile(path.join(folder, 'client_key.pub')), {
    mode: 0o600,
  });
  const sshPort = await freePort();
  const config = [
    `Port ${sshPort}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(folder, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(folder, 'authorized_keys')}`,
    `PidFile ${path.join(folder, 'sshd.pid')}`,
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding remote',
    'GatewayPorts no',
    'StrictModes no',
    'X11Forwarding no',
  ].join('\n');
  await writeFile(path.join(folder, 'sshd_config'), `${config}\n`);
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(folder, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(sshPort);
  const remotes = [];
  const args = ['-N', '-p', String(sshPort), '-i', path.join(folder, 'client_key')];
  for (const o of [
    'StrictHostKeyChecking=no',
    'UserKnownHostsFile=/dev/null',
    'BatchMode=yes',
    'ExitOnForwardFailure=yes',
    'LogLevel=ERROR',
  ])
    args.push('-o', o);
  for (const targetPort of forwards) {
    const remote = await freePort();
    remotes.push(remote);
    args.push('-R', `${remote}:127.0.0.1:${targetPort}`);
  }
  const ssh = spawn('/usr/bin/ssh', [...args, `${os.userInfo().username}@127.0.0.1`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const remote of remotes) await waitForPort(remote);
  return { remotes, sshPid: ssh.pid, stop: async () => Promise.all([stopChild(ssh), stopChild(sshd)]) };
}

/** A real agent process for `agentId`, with a home of its own; resolves once it is online. */
export async function startAgent(api, headers, agentId, folder) {
  const { token } = await call(api.url, headers, 'GET', `/v1/agents/${agentId}/token`);
  const home = path.join(folder, `agent-${agentId}`);
  await mkdir(home, { recursive: true });
  const child = spawn(
    process.execPath,
    [path.join(root, 'apps/agent/dist/outpost-agent.cjs'), 'start', '--url', api.url, '--token', token],
    { env: { ...process.env, OUTPOST_AGENT_HOME: home }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const deadline = Date.now() + 30_000;
  while ((await call(api.url, headers, 'GET', `/v1/agents/${agentId}`)).status !== 'online') {
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the agent did not come online');
    await sleep(100);
  }
  return { pid: child.pid, stop: () => stopChild(child) };
}

/** Everything the transport cases share: one API, one target, one agent, one tunnel. */
export async function setupTransports() {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-bench-transports-'));
  const stops = [() => rm(folder, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => console.error(error));
  };
  try {
    const target = fork(path.join(root, 'bench/target-server.mjs'), { stdio: 'inherit' });
    stops.push(() => stopChild(target));
    const [{ port: targetPort }] = await Promise.all([
      new Promise((resolve) => target.once('message', resolve)),
    ]);
    const tunnel = await startTunnel(folder, [targetPort, PG_PORT]);
    stops.push(tunnel.stop);
    const api = await startApi({ env: { OUTPOST_ALLOW_PRIVATE_TARGETS: 'true' } });
    stops.push(api.stop);
    const headers = await signUp(api.url);
    const agentRow = await call(api.url, headers, 'POST', '/v1/agents', { name: 'bench agent' });
    const agent = await startAgent(api, headers, agentRow.id, folder);
    stops.push(agent.stop);

    const place = {
      direct: { mode: 'CLOUD', host: '127.0.0.1', httpPort: targetPort, pgPort: PG_PORT },
      agent: {
        mode: 'ON_PREMISE',
        agentId: agentRow.id,
        host: '127.0.0.1',
        httpPort: targetPort,
        pgPort: PG_PORT,
      },
      'ssh -R': { mode: 'CLOUD', host: '127.0.0.1', httpPort: tunnel.remotes[0], pgPort: tunnel.remotes[1] },
    };
    let made = 0;
    const modeOf = ({ mode, agentId }) => ({ mode, ...(agentId ? { agentId } : {}) });
    const httpConnection = async (transport) =>
      (
        await call(api.url, headers, 'POST', '/v1/connections', {
          name: `http ${transport} ${made++}`,
          type: 'HTTP',
          ...modeOf(place[transport]),
          http: {
            baseUri: `http://${place[transport].host}:${place[transport].httpPort}/`,
            auth: { type: 'none' },
          },
        })
      ).id;
    const sqlConnection = async (transport, database) =>
      (
        await call(api.url, headers, 'POST', '/v1/connections', {
          name: `sql ${transport} ${made++}`,
          type: 'POSTGRES',
          ...modeOf(place[transport]),
          sql: {
            host: place[transport].host,
            port: place[transport].pgPort,
            database,
            user: os.userInfo().username,
          },
        })
      ).id;
    const httpIds = {};
    for (const transport of TRANSPORTS) httpIds[transport] = await httpConnection(transport);
    return {
      api,
      headers,
      folder,
      agentPid: agent.pid,
      sshPid: tunnel.sshPid,
      http: httpIds,
      targetUrl: `http://127.0.0.1:${targetPort}`,
      sqlConnection,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One request through a connection's route; resolves with [milliseconds, bytes of the body]. */
export function through(env, route, body) {
  const payload = JSON.stringify(body);
  const url = new URL(`${env.api.url}${route}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { ...env.headers, 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk) => {
          bytes += chunk.length;
        });
        response.on('end', () => {
          const upstream = response.headers['x-outpost-upstream-status'];
          if (response.statusCode !== 200 || (upstream && upstream !== '200'))
            reject(new Error(`${route}: ${response.statusCode}/${upstream}`));
          else resolve([performance.now() - started, bytes]);
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export const get = (env, transport, path) =>
  through(env, `/v1/connections/${env.http[transport]}/http`, { method: 'GET', path });
