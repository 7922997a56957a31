import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp } from '../../../api/test/helpers.ts';
import { runAgent } from './agent-process.ts';
import { RestartableApi } from './api.ts';

let api: RestartableApi;
let owner: SignedUp;
let baseUrl: string;

beforeAll(async () => {
  api = await RestartableApi.create({ env: { OUTPOST_AGENT_HEARTBEAT_MS: '1000' } });
  baseUrl = await api.start();
  owner = await signUp(api.app);
});
afterAll(() => api?.close());

const getAgent = async (id: string) =>
  (await call(api.app, 'GET', `/v1/agents/${id}`, { as: { cookie: owner.cookie } })).json();

describe('the API restarting under a connected agent', () => {
  it('sees the agent come back online by itself, within its back-off, on the same port and database', async () => {
    const created = (
      await call(api.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name: 'survivor' } })
    ).json();
    const { token } = (
      await call(api.app, 'GET', `/v1/agents/${created.id}/token`, { as: { cookie: owner.cookie } })
    ).json();
    const agent = await runAgent(baseUrl, token);
    const connections = () => agent.output().split(`as agent ${created.id}`).length - 1;
    try {
      await expect.poll(connections, { timeout: 15_000 }).toBe(1);
      await expect.poll(() => getAgent(created.id).then((view) => view.status)).toBe('online');

      await api.stop();
      await expect
        .poll(agent.output, { timeout: 10_000 })
        .toMatch(/disconnected \(1001, server shutting down\); reconnecting in/);
      expect(await api.start()).toBe(baseUrl);

      // The back-off is capped at 30 s; the agent needs no help to find the new process.
      await expect.poll(connections, { timeout: 35_000, interval: 100 }).toBe(2);
      await expect.poll(() => getAgent(created.id).then((view) => view.status)).toBe('online');
      const pong = await api.app.hub.request(
        created.id,
        { kind: 'ping', input: { payload: 'after the restart' } },
        { deadline: Date.now() + 5_000 },
      );
      expect(pong.result).toMatchObject({ payload: 'after the restart' });
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent.stop();
    }
  });
});
