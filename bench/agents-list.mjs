// Case 8: GET /v1/agents with 1,000 agents in the database. An environment holds at most 100
// agents (the per-environment limit), so they are in ten accounts, and one environment's list (a
// page of 100, as the Agents page asks for) is timed: p50 and p99 over repeated requests.
import { performance } from 'node:perf_hooks';
import { AGENTS_PER_ENVIRONMENT, createAgents, round, startApi, summarise } from './lib.mjs';

export async function agentsList({ quick }) {
  const api = await startApi();
  try {
    const agents = await createAgents(api.url, 1000, {
      name: (index) => `agent-${String(index).padStart(4, '0')}`,
    });
    const { headers } = agents[0];
    const rounds = quick ? 50 : 300;
    const samples = [];
    for (let i = 0; i < rounds + 10; i++) {
      const started = performance.now();
      const response = await fetch(`${api.url}/v1/agents?limit=100`, { headers });
      const body = await response.json();
      if (body.items.length !== AGENTS_PER_ENVIRONMENT || body.total !== AGENTS_PER_ENVIRONMENT)
        throw new Error(`listed ${body.items.length} of ${body.total}`);
      if (i >= 10) samples.push(performance.now() - started); // the first ten warm up
    }
    const page = summarise(samples);
    const name = 'agents-list-100-of-1000';
    return {
      cases: [
        { case: name, transport: 'direct', metric: 'p50', value: round(page.p50), unit: 'ms' },
        { case: name, transport: 'direct', metric: 'p99', value: round(page.p99), unit: 'ms' },
      ],
      targets: [
        {
          name: 'GET /v1/agents p50 at 1,000 agents (an environment of 100, its limit)',
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
