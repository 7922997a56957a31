import type { AgentEvent } from '@outpost/protocol/rest/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

/** Opens the live stream over real HTTP, as the web page does, and collects its events. */
async function openStream(environment: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/agents/events`, {
    headers: { cookie: `outpost_session=${owner.cookie}`, 'x-outpost-environment': environment },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: AgentEvent[] = [];
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      buffer += chunk.value;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
  })();
  return { events, close: () => controller.abort() };
}

describe('live agent updates (server-sent events)', () => {
  it('streams creations, changes and deletions in the environment, and nothing from another', async () => {
    const production = await openStream('production');
    const sandbox = await openStream('sandbox');
    try {
      const agent = (
        await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name: 'live' } })
      ).json();
      await expect
        .poll(() => production.events)
        .toContainEqual({
          type: 'agent.upserted',
          agent: expect.objectContaining({ id: agent.id, name: 'live' }),
        });
      await call(t.app, 'PATCH', `/v1/agents/${agent.id}`, {
        as: { cookie: owner.cookie },
        body: { description: 'changed live' },
      });
      await expect
        .poll(() => production.events)
        .toContainEqual({
          type: 'agent.upserted',
          agent: expect.objectContaining({ id: agent.id, description: 'changed live' }),
        });
      await call(t.app, 'DELETE', `/v1/agents/${agent.id}`, { as: { cookie: owner.cookie } });
      await expect.poll(() => production.events).toContainEqual({ type: 'agent.deleted', agentId: agent.id });
      expect(sandbox.events).toEqual([]);
    } finally {
      production.close();
      sandbox.close();
    }
  });

  it('refuses a stream without a session', async () => {
    const response = await fetch(`${baseUrl}/v1/agents/events`);
    expect(response.status).toBe(401);
  });
});
