// Case 8: GET /v1/agents with 1,000 agents in the environment: p50 and p99 over repeated requests.
import { performance } from 'node:perf_hooks';
import { round, signUp, startApi, summarise } from './lib.mjs';

export async function agentsList({ quick }) {
  const api = await startApi();
  try {
    const headers = await signUp(api.url);
    const agents = 1000;
    for (let i = 0; i < agents; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fetch(`${api.url}/v1/agents`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: `agent-${String(i + j).padStart(4, '0')}`, description: 'bench' }),
          }),
        ),
      );
    }
    const rounds = quick ? 50 : 300;
    /** Latency of listing one page of `limit` agents, as the Agents page does. */
    async function measure(limit) {
      const samples = [];
      for (let i = 0; i < rounds + 10; i++) {
        const started = performance.now();
        const response = await fetch(`${api.url}/v1/agents?limit=${limit}`, { headers });
        const body = await response.json();
        if (body.items.length !== limit || body.total !== agents)
          throw new Error(`listed ${body.items.length} of ${body.total}`);
        if (i >= 10) samples.push(performance.now() - started); // the first ten warm up
      }
      return summarise(samples);
    }
    const page = await measure(100);
    const all = await measure(1000);
    const rows = (name, latency) => [
      { case: name, transport: 'direct', metric: 'p50', value: round(latency.p50), unit: 'ms' },
      { case: name, transport: 'direct', metric: 'p99', value: round(latency.p99), unit: 'ms' },
    ];
    return {
      cases: [...rows('agents-list-page-100-of-1000', page), ...rows('agents-list-all-1000', all)],
      targets: [
        {
          name: 'GET /v1/agents p50 at 1,000 agents (a page of 100)',
          value: round(page.p50),
          bound: 20,
          unit: 'ms',
          pass: page.p50 <= 20,
        },
      ],
    };
  } finally {
    await api.stop();
  }
}
