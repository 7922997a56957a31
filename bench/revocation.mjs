// Case 7: Generate token (POST /v1/agents/:id/token) closes the agent's live session; the time
// from the request to the close, seen by the agent, over `agents` light agents one at a time
// (in accounts of their own: an environment holds at most 100 agents).
import { performance } from 'node:perf_hooks';
import { call, createAgents, summarise } from './lib.mjs';
import { addressOf, connectLight } from './light-agent.mjs';

export async function revocation(env, { agents }) {
  const entries = await createAgents(env.api.url, agents, { name: (index) => `revoked ${index}` });
  await Promise.all(
    entries.map(
      (entry) =>
        new Promise((resolve, reject) => {
          entry.closed = new Promise((closed) => {
            entry.socket = connectLight({
              url: env.api.url,
              token: entry.token,
              index: entry.index,
              localAddress: addressOf(entry.index),
              onWelcome: resolve,
              onClose: (code) => {
                closed(performance.now());
                reject(new Error(`closed ${code} before welcome`));
              },
            });
          });
        }),
    ),
  );
  const samples = [];
  for (const entry of entries) {
    const started = performance.now();
    await call(env.api.url, entry.headers, 'POST', `/v1/agents/${entry.id}/token`, {});
    samples.push((await entry.closed) - started);
  }
  return summarise(samples);
}
