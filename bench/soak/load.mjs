// The soak's steady request load: `rate` requests a second, each a `GET /1k` through a random
// agent's On-premise connection (`POST /v1/connections/:id/http`), sent on schedule whether or not
// the earlier ones have answered. Each outcome is counted by error code, apart for the requests that
// overlapped a time their agent was deliberately down (restarted, or its token regenerated).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const BODY = JSON.stringify({ method: 'GET', path: '/1k' });
const TIMEOUT_MS = 60_000;
/**
 * Requests in flight beyond which the next ones are not sent (counted as not sent): on an
 * overloaded machine the queue, and so the latency, would otherwise grow without end.
 */
const MAX_IN_FLIGHT = 100;

/** A tally of outcomes: sent, succeeded, failed by code, and the latencies of the successes. */
export function tally() {
  return { sent: 0, succeeded: 0, failed: 0, byCode: {}, latencies: [] };
}

function count(into, outcome) {
  into.sent++;
  if (outcome.code === null) {
    into.succeeded++;
    into.latencies.push(outcome.ms);
  } else {
    into.failed++;
    into.byCode[outcome.code] = (into.byCode[outcome.code] ?? 0) + 1;
  }
}

/** The code of a failed answer: `unavailable/agent_offline` for a 503 whose reason is agent_offline. */
function codeOf(status, upstream, text) {
  if (status === 200) return upstream && upstream !== '200' ? `upstream_${upstream}` : null;
  try {
    const { error } = JSON.parse(text);
    const reason = /^([a-z_]+):/.exec(error.message ?? '')?.[1];
    return reason && error.code === 'unavailable' ? `${error.code}/${reason}` : String(error.code);
  } catch {
    return `http_${status}`;
  }
}

function send(api, headers, connectionId, keepAlive) {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (code) =>
      resolve({ code, started, ended: performance.now(), ms: performance.now() - started });
    const request = http.request(
      `${api.url}/v1/connections/${connectionId}/http`,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { ...headers, 'content-length': Buffer.byteLength(BODY) },
        timeout: TIMEOUT_MS,
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          done(
            codeOf(
              response.statusCode,
              response.headers['x-outpost-upstream-status'],
              Buffer.concat(chunks).toString('utf8'),
            ),
          ),
        );
        response.on('error', (error) => done(`client_${error.code ?? 'error'}`));
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    request.on('error', (error) => done(`client_${error.code ?? 'error'}`));
    request.end(BODY);
  });
}

/**
 * Starts the load. `totals` and `toDown` count over the whole soak (`toDown`: requests whose agent
 * was deliberately down at some time while they ran); `takeMinute()` returns the tally since the
 * last call. `stop()` stops sending and waits for the requests in flight.
 */
export function startLoad({ api, headers, agents, rate }) {
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const totals = tally();
  const toDown = tally();
  let minute = tally();
  let notSent = 0;
  const inFlight = new Set();
  const begun = performance.now();
  let sent = 0;

  const overlapsDown = (agent, outcome) =>
    agent.downs.some((down) => down.from <= outcome.ended && down.to >= outcome.started);

  function fire() {
    const agent = agents[Math.floor(Math.random() * agents.length)];
    if (inFlight.size >= MAX_IN_FLIGHT) return void notSent++;
    const pending = send(api, headers, agent.connectionId, keepAlive).then((outcome) => {
      inFlight.delete(pending);
      count(totals, outcome);
      count(minute, outcome);
      if (overlapsDown(agent, outcome)) count(toDown, outcome);
    });
    inFlight.add(pending);
  }

  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - begun) / 1000) * rate);
    for (; sent < due; sent++) fire();
  }, 20);

  return {
    totals,
    toDown,
    get notSent() {
      return notSent;
    },
    get inFlight() {
      return inFlight.size;
    },
    takeMinute() {
      const taken = minute;
      minute = tally();
      return taken;
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      keepAlive.destroy();
    },
  };
}
