// The soak itself: the built API (embedded database) and the target, `agents` real agent
// processes each with an On-premise HTTP connection to the target, `rate` requests a second spread
// over them, a flow run a minute through the first agent and, after the warm-up, an agent restarted
// every 20 s (SIGTERM and SIGKILL in turn) and a token regenerated every 60 s. One line a minute; the summary at the
// end. `signal` (an AbortSignal) ends it early; everything started is stopped either way.
import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { call, root, rssMiB, signUp, sleep, startApi } from '../lib.mjs';
import { apiLogDigest } from './api-log.mjs';
import { createFleet } from './fleet.mjs';
import { runFlow, setupFlow } from './flow.mjs';
import { startLoad } from './load.mjs';
import { minuteLine, soakSummary } from './summary.mjs';

const API_PORT = 4910;
const RESTART_EVERY_MS = 20_000;
const REGENERATE_EVERY_MS = 60_000;
const FLOW_EVERY_MS = 60_000;

/** Sleeps `ms`, or less when the soak is told to stop. */
function pause(ms, signal) {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs `step` every `everyMs` (the first after `everyMs`) until `signal`; waits for the last one. */
async function every(everyMs, signal, step) {
  for (let next = performance.now() + everyMs; ; next += everyMs) {
    await pause(Math.max(0, next - performance.now()), signal);
    if (signal.aborted) return;
    await step();
  }
}

export async function soak({ minutes, agents: agentCount, rate, signal, log = console.log }) {
  const stops = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => console.error(error));
  };
  try {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-soak-'));
    stops.push(() => rm(folder, { recursive: true, force: true }));

    const target = fork(path.join(root, 'bench/target-server.mjs'), { stdio: 'inherit' });
    stops.push(async () => {
      if (target.exitCode !== null || target.signalCode !== null) return;
      const gone = new Promise((resolve) => target.once('exit', resolve));
      target.kill('SIGTERM');
      await gone;
    });
    const { port: targetPort } = await new Promise((resolve, reject) => {
      target.once('message', resolve);
      target.once('exit', (code) => reject(new Error(`the target server exited with ${code}`)));
    });
    const targetUrl = `http://127.0.0.1:${targetPort}`;

    // Its log goes to a file, digested at the end: it logs every agent_offline answer as an
    // error, and the soak makes many on purpose.
    const apiLog = path.join(folder, 'api.log');
    const apiLogFd = openSync(apiLog, 'a');
    stops.push(async () => closeSync(apiLogFd));
    const api = await startApi({ port: API_PORT, output: apiLogFd });
    stops.push(api.stop);
    const headers = await signUp(api.url);

    log(`› creating ${agentCount} agents and their connections`);
    const fleet = createFleet({ api, headers, folder, log });
    stops.push(fleet.stop);
    const httpConnection = async (agent) =>
      (
        await call(api.url, headers, 'POST', '/v1/connections', {
          name: `soak target ${agent.index}`,
          type: 'HTTP',
          mode: 'ON_PREMISE',
          agentId: agent.id,
          http: { baseUri: `${targetUrl}/`, auth: { type: 'none' } },
        })
      ).id;
    for (let index = 0; index < agentCount; index += 5)
      await Promise.all(
        Array.from({ length: Math.min(5, agentCount - index) }, (_, j) =>
          fleet.add(index + j, httpConnection),
        ),
      );
    log(`› starting ${agentCount} agent processes (at most 50 a minute: the hub's limit per address)`);
    const startedAt = performance.now();
    await fleet.startAll();
    log(`  all ${agentCount} online after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

    const flow = await setupFlow({ api, headers, agent: fleet.agents[0], targetPort });
    stops.push(flow.drop);

    // The run.
    const durationMs = minutes * 60_000;
    const warmupMs = Math.min(60_000, durationMs * 0.2);
    log(`› soaking for ${minutes} min at ${rate} req/s (memory baseline after ${warmupMs / 1000} s)`);
    // Its own timer: Node 20 may collect an AbortSignal.timeout() that only AbortSignal.any() holds.
    const ending = new AbortController();
    const timer = setTimeout(() => ending.abort(), durationMs);
    const endNow = () => ending.abort();
    signal.addEventListener('abort', endNow, { once: true });
    stops.push(async () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', endNow);
    });
    const ends = ending.signal;
    const begun = performance.now();
    const since = () => performance.now() - begun;
    const load = startLoad({ api, headers, agents: fleet.agents, rate });

    const apiRss = [];
    const agentRss = [];
    const restarts = [];
    const regenerations = [];
    const flows = [];
    const minuteRows = [];
    const busy = new Set();
    const pick = () => {
      const free = fleet.agents.filter((agent) => !agent.down && !busy.has(agent));
      return free[Math.floor(Math.random() * free.length)];
    };
    const chaos = async (list, act) => {
      const agent = pick();
      if (!agent) return;
      busy.add(agent);
      try {
        const result = await act(agent);
        list.push({ at: since(), agent: agent.index, ...result }); // at: when it was over
      } catch (error) {
        list.push({ at: since(), agent: agent.index, error: String(error.message ?? error) });
      } finally {
        busy.delete(agent);
      }
    };
    let kills = 0;
    const loops = [
      every(5_000, ends, async () => apiRss.push({ at: since(), mib: rssMiB(api.pid) })),
      every(30_000, ends, async () => agentRss.push({ at: since(), agents: fleet.rss() })),
      // After the warm-up, when the initial starts no longer hold start slots (a restart waiting
      // for one would look down longer). Each runs on its own, so a slow one holds up no other.
      pause(warmupMs, ends).then(() =>
        every(RESTART_EVERY_MS, ends, async () => {
          void chaos(restarts, (agent) => fleet.restart(agent, kills++ % 2 === 0 ? 'SIGTERM' : 'SIGKILL'));
        }),
      ),
      pause(warmupMs, ends).then(() =>
        every(REGENERATE_EVERY_MS, ends, async () => {
          void chaos(regenerations, (agent) => fleet.regenerateToken(agent));
        }),
      ),
      every(FLOW_EVERY_MS, ends, async () => {
        flows.push(
          await runFlow({ api, headers, flowId: flow.flowId, targetUrl }).catch((error) => ({
            status: 'error',
            error: String(error.message ?? error),
            exactlyOnce: false,
          })),
        );
      }),
      every(60_000, ends, async () => reportMinute()),
    ];
    function reportMinute() {
      const row = {
        minute: minuteRows.length + 1,
        requests: load.takeMinute(),
        apiMiB: rssMiB(api.pid),
        online: fleet.agents.filter((agent) => !agent.down).length,
        restarts: restarts.filter((each) => each.at > since() - 60_000),
        regenerations: regenerations.filter((each) => each.at > since() - 60_000),
        flow: flows.at(-1),
      };
      minuteRows.push(row);
      log(minuteLine(row, minutes, agentCount));
    }
    apiRss.push({ at: 0, mib: rssMiB(api.pid) });
    agentRss.push({ at: 0, agents: fleet.rss() });
    await Promise.all(loops);
    const ranMs = since();
    log('› stopping the load; waiting for the restarts and the flow run under way');
    await load.stop();
    while (busy.size > 0) await sleep(200);
    // The last minute, or part of one, when the end came before its line.
    if (minuteRows.length < Math.round(ranMs / 60_000) || ranMs % 60_000 > 1_000) reportMinute();
    apiRss.push({ at: since(), mib: rssMiB(api.pid) });
    agentRss.push({ at: since(), agents: fleet.rss() });

    return soakSummary({
      options: { minutes, agents: agentCount, rate },
      interrupted: signal.aborted,
      ranMs,
      warmupMs,
      load,
      apiRss,
      agentRss,
      restarts,
      regenerations,
      flows,
      unexpectedExits: fleet.unexpectedExits,
      apiLog: await apiLogDigest(apiLog),
      minuteRows,
    });
  } finally {
    await stop();
  }
}
