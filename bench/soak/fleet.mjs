// The soak's real agent processes (apps/agent/dist/outpost-agent.cjs), one home each: the token is
// stored there with `outpost-agent token set` and the agent runs `start --url`, as an operator
// would run it. Restarts (by signal) and token regenerations are timed until the API lists the
// agent online again; every interval an agent was deliberately down is kept, so that the load can
// tell the failures it caused from the others.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { call, root, rssMiB, sleep } from '../lib.mjs';

const BUNDLE = path.join(root, 'apps/agent/dist/outpost-agent.cjs');
/**
 * The hub allows 60 connection attempts a minute from one address, and every agent here dials
 * from 127.0.0.1: starts are spaced to stay under it (a refused attempt would look like a slow
 * reconnect).
 */
const STARTS_PER_MINUTE = 50;
const ONLINE_TIMEOUT_MS = 120_000;

/** The environment of an agent process: none of the caller's agent settings leak in. */
function agentEnv(home) {
  const env = { ...process.env, OUTPOST_AGENT_HOME: home };
  for (const name of ['OUTPOST_URL', 'OUTPOST_AGENT_TOKEN', 'OUTPOST_AGENT_SERVICE']) delete env[name];
  return env;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves with what ended the child, or null when it is still running after `ms`. */
function exitedWithin(child, ms) {
  return Promise.race([exited(child), sleep(ms).then(() => null)]);
}

export function createFleet({ api, headers, folder, log }) {
  const agents = [];
  const starts = [];
  let stopping = false;
  const unexpectedExits = [];

  async function startSlot() {
    for (;;) {
      const now = performance.now();
      while (starts.length > 0 && starts[0] <= now - 60_000) starts.shift();
      if (starts.length < STARTS_PER_MINUTE) return void starts.push(now);
      await sleep(starts[0] + 60_000 - now + 50);
    }
  }

  /** The agent's status as the API lists it; null when the API could not say. */
  async function status(agent) {
    return call(api.url, headers, 'GET', `/v1/agents/${agent.id}`).then(
      (row) => row.status,
      () => null,
    );
  }

  /** Milliseconds until the API lists the agent online (or not), or null after the timeout. */
  async function until(agent, online, timeoutMs = ONLINE_TIMEOUT_MS) {
    const started = performance.now();
    for (
      let now = await status(agent);
      now === null || (now === 'online') !== online;
      now = await status(agent)
    ) {
      if (performance.now() - started > timeoutMs) return null;
      await sleep(100);
    }
    return performance.now() - started;
  }

  async function tokenSet(agent, token) {
    const child = spawn(process.execPath, [BUNDLE, 'token', 'set'], {
      env: agentEnv(agent.home),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.stdin.end(`${token}\n`);
    const { code } = await exited(child);
    if (code !== 0) throw new Error(`outpost-agent token set exited with ${code}: ${errors.trim()}`);
  }

  /** Starts the agent's process (after its start slot); returns when it was spawned. */
  async function launch(agent) {
    await startSlot();
    const child = spawn(process.execPath, [BUNDLE, 'start', '--url', api.url], {
      env: agentEnv(agent.home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk) => {
      agent.output = `${agent.output}${chunk}`.slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    agent.child = child;
    agent.starts += 1;
    child.once('exit', (code, signal) => {
      if (stopping || agent.child !== child || agent.down) return;
      // Not one of ours: note it, and bring the agent back so the soak goes on.
      unexpectedExits.push({ agent: agent.index, code, signal, output: agent.output.slice(-500) });
      log(`agent ${agent.index} exited on its own (${signal ?? code}); starting it again`);
      void recover(agent);
    });
    return performance.now();
  }

  async function recover(agent) {
    const down = markDown(agent);
    try {
      await launch(agent);
      await until(agent, true);
    } finally {
      markUp(agent, down);
    }
  }

  function markDown(agent) {
    const interval = { from: performance.now(), to: Number.POSITIVE_INFINITY };
    agent.downs.push(interval);
    agent.down = true;
    return interval;
  }

  function markUp(agent, interval) {
    interval.to = performance.now();
    agent.down = false;
  }

  return {
    agents,
    unexpectedExits,

    /** Creates the agent and its home with its token; `index` names it. */
    async add(index, connectionFor) {
      const { id } = await call(api.url, headers, 'POST', '/v1/agents', { name: `soak agent ${index}` });
      const { token } = await call(api.url, headers, 'GET', `/v1/agents/${id}/token`);
      const home = path.join(folder, `agent-${index}`);
      await mkdir(home, { recursive: true });
      const agent = { id, index, home, child: null, output: '', starts: 0, downs: [], down: false };
      agent.connectionId = await connectionFor(agent);
      await tokenSet(agent, token);
      agents.push(agent);
      return agent;
    },

    /** Starts every agent (spaced, see STARTS_PER_MINUTE) and waits until all are online. */
    async startAll() {
      for (const agent of agents) await launch(agent);
      const deadline = performance.now() + ONLINE_TIMEOUT_MS;
      for (;;) {
        const page = await call(api.url, headers, 'GET', '/v1/agents?limit=1000');
        const online = page.items.filter((item) => item.status === 'online').length;
        if (online >= agents.length) return;
        const gone = agents.find((agent) => agent.child.exitCode !== null);
        if (gone) throw new Error(`agent ${gone.index} exited with ${gone.child.exitCode}: ${gone.output}`);
        if (performance.now() > deadline)
          throw new Error(`only ${online} of ${agents.length} agents came online`);
        await sleep(500);
      }
    },

    /**
     * Stops the agent with `signal`, starts it again and times it: `reconnectMs` from the new
     * process's start until the API lists it online, `downMs` from the signal.
     */
    async restart(agent, signal) {
      const interval = markDown(agent);
      try {
        const signalled = performance.now();
        agent.child.kill(signal);
        let end = await exitedWithin(agent.child, 20_000);
        if (!end) {
          agent.child.kill('SIGKILL');
          end = await exited(agent.child);
        }
        const exitMs = performance.now() - signalled;
        const offlineMs = await until(agent, false, 30_000);
        const launched = await launch(agent);
        const onlineMs = await until(agent, true);
        return {
          signal,
          exit: end.signal ?? end.code,
          exitMs,
          offlineMs,
          reconnectMs: onlineMs,
          downMs: onlineMs === null ? null : launched + onlineMs - signalled,
        };
      } finally {
        markUp(agent, interval);
      }
    },

    /**
     * Generates a new token for the agent: its process must stop with 3 (token revoked); the new
     * token is stored with `token set` and the agent started again. `backMs` runs from the
     * generation until the API lists it online again.
     */
    async regenerateToken(agent) {
      const interval = markDown(agent);
      try {
        const generated = performance.now();
        const { token } = await call(api.url, headers, 'POST', `/v1/agents/${agent.id}/token`, {});
        let end = await exitedWithin(agent.child, 30_000);
        const exitMs = performance.now() - generated;
        if (!end) {
          agent.child.kill('SIGKILL');
          end = { code: 'still running after 30 s', signal: null };
          await exited(agent.child);
        }
        await until(agent, false, 30_000);
        await tokenSet(agent, token);
        const launched = await launch(agent);
        const onlineMs = await until(agent, true);
        return {
          exit: end.signal ?? end.code,
          exitMs,
          reconnectMs: onlineMs,
          backMs: onlineMs === null ? null : launched + onlineMs - generated,
        };
      } finally {
        markUp(agent, interval);
      }
    },

    /** Resident memory of each running agent process, by index. */
    rss() {
      const sizes = {};
      for (const agent of agents)
        if (agent.child && agent.child.exitCode === null && agent.child.signalCode === null)
          try {
            sizes[agent.index] = { starts: agent.starts, mib: rssMiB(agent.child.pid) };
          } catch {
            // It has just exited.
          }
      return sizes;
    },

    async stop() {
      stopping = true;
      await Promise.all(
        agents.map(async (agent) => {
          if (!agent.child) return;
          agent.child.kill('SIGTERM');
          if (!(await exitedWithin(agent.child, 15_000))) {
            agent.child.kill('SIGKILL');
            await exited(agent.child);
          }
        }),
      );
      // Let the API record them offline before it is stopped in turn.
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline) {
        const page = await call(api.url, headers, 'GET', '/v1/agents?limit=1000').catch(() => null);
        if (!page || page.items.every((item) => item.status !== 'online')) break;
        await sleep(200);
      }
    },
  };
}
