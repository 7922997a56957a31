// The soak's figures: the one-line minute report, the summary written to
// bench/results/soak-latest.json, and its Markdown table.
import { summarise as percentiles, round } from '../lib.mjs';

const mean = (values) =>
  values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
const perHour = (from, to, ms) =>
  from === null || to === null || ms <= 0 ? null : ((to - from) / ms) * 3_600_000;

/** p50/p99/max of some milliseconds, in seconds (null when there are none). */
function seconds(samples) {
  const known = samples.filter((value) => typeof value === 'number');
  if (known.length === 0) return null;
  const { p50, p99, max, count } = percentiles(known);
  return { p50: round(p50 / 1000), p99: round(p99 / 1000), max: round(max / 1000), count };
}

function difference(all, part) {
  const byCode = { ...all.byCode };
  for (const [code, n] of Object.entries(part.byCode)) byCode[code] = (byCode[code] ?? 0) - n;
  for (const code of Object.keys(byCode)) if (byCode[code] === 0) delete byCode[code];
  return { sent: all.sent - part.sent, failed: all.failed - part.failed, byCode };
}

const codes = (byCode) =>
  Object.entries(byCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || 'none';

export function minuteLine(row, minutes, agents) {
  const { requests } = row;
  const latency = requests.latencies.length ? percentiles(requests.latencies) : null;
  const restarts = row.restarts.map((each) =>
    each.reconnectMs == null ? 'failed' : `${(each.reconnectMs / 1000).toFixed(1)} s`,
  );
  const regenerations = row.regenerations.map((each) =>
    each.backMs == null ? 'failed' : `${(each.backMs / 1000).toFixed(1)} s`,
  );
  const flow = row.flow
    ? `flow ${row.flow.status}${row.flow.exactlyOnce ? ' exactly once' : ''} (${row.flow.sinkRecords ?? 0} records)`
    : 'no flow run yet';
  return [
    `[${String(row.minute).padStart(2)}/${minutes} min]`,
    `${requests.sent} requests, ${requests.failed} failed${requests.failed ? ` (${codes(requests.byCode)})` : ''}`,
    latency ? `p50 ${latency.p50.toFixed(1)} ms p99 ${latency.p99.toFixed(1)} ms` : 'no answers',
    `API ${row.apiMiB.toFixed(0)} MiB`,
    `${row.online}/${agents} agents up`,
    `restarts back in ${restarts.join(', ') || '–'}`,
    `token regenerations back in ${regenerations.join(', ') || '–'}`,
    flow,
  ].join(' · ');
}

export function soakSummary({
  options,
  interrupted,
  ranMs,
  warmupMs,
  load,
  apiRss,
  agentRss,
  restarts,
  regenerations,
  flows,
  unexpectedExits,
  apiLog,
  minuteRows,
}) {
  const { totals, toDown } = load;
  const elsewhere = difference(totals, toDown);
  const latency = totals.latencies.length ? percentiles(totals.latencies) : null;

  // API memory: the mean over the 30 s after the warm-up against the mean over the last 30 s.
  const window = (from, to) => apiRss.filter((sample) => sample.at >= from && sample.at <= to);
  const first = window(warmupMs, warmupMs + 30_000);
  const last = window(ranMs - 30_000, Number.POSITIVE_INFINITY);
  const apiStart = mean(first.map((sample) => sample.mib));
  const apiEnd = mean(last.map((sample) => sample.mib));
  const apiSpan = mean(last.map((sample) => sample.at)) - mean(first.map((sample) => sample.at));

  // Agents' memory: the processes never restarted, from the first sample after the warm-up to the last.
  const base = agentRss.find((sample) => sample.at >= warmupMs) ?? agentRss[0];
  const end = agentRss.at(-1);
  const kept = Object.keys(base.agents).filter(
    (index) => end.agents[index] && end.agents[index].starts === base.agents[index].starts,
  );
  const agentsStart = mean(kept.map((index) => base.agents[index].mib));
  const agentsEnd = mean(kept.map((index) => end.agents[index].mib));
  const allEnd = Object.values(end.agents).map((each) => each.mib);

  const tallyOf = (list, key) => {
    const counts = {};
    for (const each of list)
      if (each[key] !== undefined) counts[String(each[key])] = (counts[String(each[key])] ?? 0) + 1;
    return counts;
  };
  return {
    options,
    interrupted,
    ranMinutes: round(ranMs / 60_000),
    requests: {
      sent: totals.sent,
      succeeded: totals.succeeded,
      failed: totals.failed,
      failedByCode: totals.byCode,
      notSentOverloaded: load.notSent,
      toDeliberatelyDownAgents: { sent: toDown.sent, failed: toDown.failed, failedByCode: toDown.byCode },
      otherwise: elsewhere,
      errorRatePercent: elsewhere.sent ? round((elsewhere.failed / elsewhere.sent) * 100, 4) : null,
      latencyMs: latency && {
        p50: round(latency.p50),
        p90: round(latency.p90),
        p99: round(latency.p99),
        max: round(latency.max),
      },
    },
    apiRssMiB: {
      start: apiStart === null ? null : round(apiStart, 1),
      end: apiEnd === null ? null : round(apiEnd, 1),
      max: round(Math.max(...apiRss.map((sample) => sample.mib)), 1),
      driftPerHour: round(perHour(apiStart, apiEnd, apiSpan) ?? Number.NaN, 1),
    },
    agentRssMiB: {
      processesNeverRestarted: kept.length,
      meanStart: agentsStart === null ? null : round(agentsStart, 1),
      meanEnd: agentsEnd === null ? null : round(agentsEnd, 1),
      driftPerHour: round(perHour(agentsStart, agentsEnd, end.at - base.at) ?? Number.NaN, 1),
      allAtEnd: round(
        allEnd.reduce((sum, value) => sum + value, 0),
        0,
      ),
    },
    restarts: {
      count: restarts.length,
      bySignal: tallyOf(restarts, 'signal'),
      failed: restarts
        .filter((each) => each.error || each.reconnectMs == null)
        .map((each) => each.error ?? 'not online in 120 s'),
      exitS: seconds(restarts.map((each) => each.exitMs)),
      offlineListedS: seconds(restarts.map((each) => each.offlineMs)),
      reconnectS: seconds(restarts.map((each) => each.reconnectMs)),
      downS: seconds(restarts.map((each) => each.downMs)),
    },
    tokenRegenerations: {
      count: regenerations.length,
      agentExits: tallyOf(regenerations, 'exit'),
      failed: regenerations
        .filter((each) => each.error || each.backMs == null)
        .map((each) => each.error ?? 'not online in 120 s'),
      exitS: seconds(regenerations.map((each) => each.exitMs)),
      reconnectS: seconds(regenerations.map((each) => each.reconnectMs)),
      backOnlineS: seconds(regenerations.map((each) => each.backMs)),
    },
    flowRuns: {
      runs: flows.length,
      succeeded: flows.filter((run) => run.status === 'succeeded').length,
      exactlyOnce: flows.filter((run) => run.exactlyOnce).length,
      repeatedBatchesDeduplicated: flows.reduce((sum, run) => sum + (run.repeatedBatches ?? 0), 0),
      durationS: seconds(flows.map((run) => run.durationMs)),
      failures: flows.filter((run) => !run.exactlyOnce).map((run) => `${run.status}: ${run.error}`),
    },
    unexpectedAgentExits: unexpectedExits,
    apiLog,
    perMinute: minuteRows.map(({ minute, requests, apiMiB, online, restarts, regenerations }) => {
      const latency = requests.latencies.length ? percentiles(requests.latencies) : null;
      return {
        minute,
        sent: requests.sent,
        failed: requests.failed,
        failedByCode: requests.byCode,
        p50Ms: latency && round(latency.p50),
        p99Ms: latency && round(latency.p99),
        apiMiB: round(apiMiB, 1),
        agentsUp: online,
        restartsBackS: restarts.map((each) => each.downMs && round(each.downMs / 1000)),
        regenerationsBackS: regenerations.map((each) => each.backMs && round(each.backMs / 1000)),
      };
    }),
  };
}

const s = (figures) =>
  figures ? `${figures.p50} / ${figures.p99} / ${figures.max} s (${figures.count})` : '–';

/** The summary as a Markdown table. */
export function table(summary) {
  const { requests: r, apiRssMiB: a, agentRssMiB: g, restarts, tokenRegenerations: t, flowRuns: f } = summary;
  const rows = [
    [
      'duration',
      `${summary.ranMinutes} min, ${summary.options.agents} agents, ${summary.options.rate} req/s`,
    ],
    ['requests sent / succeeded / failed', `${r.sent} / ${r.succeeded} / ${r.failed}`],
    ['requests not sent (100 already waiting for an answer)', String(r.notSentOverloaded)],
    ['failed, by code', codes(r.failedByCode)],
    [
      'to an agent deliberately down: sent / failed',
      `${r.toDeliberatelyDownAgents.sent} / ${r.toDeliberatelyDownAgents.failed} (${codes(r.toDeliberatelyDownAgents.failedByCode)})`,
    ],
    [
      'otherwise: sent / failed',
      `${r.otherwise.sent} / ${r.otherwise.failed} (${codes(r.otherwise.byCode)})`,
    ],
    ['error rate, agents down deliberately excluded', `${r.errorRatePercent} %`],
    [
      'latency p50 / p99 / max',
      r.latencyMs ? `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms` : '–',
    ],
    ['API RSS start / end / max', `${a.start} / ${a.end} / ${a.max} MiB`],
    ['API RSS drift', `${a.driftPerHour} MiB/h`],
    [
      `agent RSS start / end (mean of ${g.processesNeverRestarted} never restarted)`,
      `${g.meanStart} / ${g.meanEnd} MiB (${g.driftPerHour} MiB/h); all agents ${g.allAtEnd} MiB`,
    ],
    [
      'agent restarts (SIGTERM/SIGKILL): reconnect p50 / p99 / max',
      `${s(restarts.reconnectS)}; failed ${restarts.failed.length}`,
    ],
    ['agent restarts: signal → online p50 / p99 / max', s(restarts.downS)],
    ['agent restarts: signal → process exited p50 / p99 / max', s(restarts.exitS)],
    ['agent restarts: process exited → API lists it offline p50 / p99 / max', s(restarts.offlineListedS)],
    [
      'token regenerations: → online p50 / p99 / max',
      `${s(t.backOnlineS)}; agent exits ${codes(t.agentExits)}; failed ${t.failed.length}`,
    ],
    ['token regenerations: restart → online p50 / p99 / max', s(t.reconnectS)],
    [
      'flow runs (10,000 rows via one agent): succeeded / exactly once',
      `${f.succeeded} / ${f.exactlyOnce} of ${f.runs}; repeated batches deduplicated ${f.repeatedBatchesDeduplicated}`,
    ],
    ['agent processes that exited on their own', String(summary.unexpectedAgentExits.length)],
    [
      'API log: errors / warnings (agent_offline answers aside)',
      `${summary.apiLog.errors} / ${summary.apiLog.warnings}`,
    ],
  ];
  const failures = [
    ...restarts.failed.map((why) => `- restart failed: ${why}`),
    ...t.failed.map((why) => `- token regeneration failed: ${why}`),
    ...f.failures.map((why) => `- flow run: ${why}`),
    ...summary.unexpectedAgentExits.map(
      (exit) => `- agent ${exit.agent} exited on its own: ${exit.signal ?? exit.code}`,
    ),
    ...summary.apiLog.topErrors.map(({ what, count }) => `- API error ×${count}: ${what}`),
    ...summary.apiLog.topWarnings.map(({ what, count }) => `- API warning ×${count}: ${what}`),
  ];
  return [
    '| soak | value |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    ...(failures.length ? ['', ...failures] : []),
  ].join('\n');
}
