import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_DIST_DIR,
  call,
  createApiToken,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
} from './helpers.ts';
import { connectLightAgent } from './light-agent.ts';

let t: TestApp;
let owner: SignedUp;
let baseUrl: string;
let manifest: { version: string; bundle: string; sha256: string };

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  manifest = JSON.parse(await readFile(path.join(AGENT_DIST_DIR, 'manifest.json'), 'utf8'));
});
afterAll(() => t.close());

async function newAgent(name: string): Promise<{ id: string; token: string }> {
  const { id } = (
    await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name } })
  ).json();
  const { token } = (
    await call(t.app, 'GET', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } })
  ).json();
  return { id, token };
}

const fetchBundle = (authorization?: string) =>
  t.app.inject({ method: 'GET', url: '/v1/agent/bundle', headers: authorization ? { authorization } : {} });

describe('auto-upgrade: what the hub offers', () => {
  it('announces the latest version with its digest and where to fetch it in welcome', async () => {
    const { token } = await newAgent('offered');
    const agent = await connectLightAgent(baseUrl, token);
    expect(await agent.welcome()).toMatchObject({
      latestVersion: manifest.version,
      autoUpgrade: true,
      upgrade: { version: manifest.version, sha256: manifest.sha256, path: '/v1/agent/bundle' },
    });
    agent.socket.close();
  });

  it('says autoUpgrade false for an agent whose auto-upgrade was turned off', async () => {
    const { id, token } = await newAgent('held back');
    const patched = await call(t.app, 'PATCH', `/v1/agents/${id}`, {
      as: { cookie: owner.cookie },
      body: { autoUpgrade: false },
    });
    expect(patched.json()).toMatchObject({ autoUpgrade: false });
    const agent = await connectLightAgent(baseUrl, token);
    expect(await agent.welcome()).toMatchObject({ autoUpgrade: false });
    agent.socket.close();
  });
});

describe('GET /v1/agent/bundle', () => {
  it('sends the bundle the manifest names, with its SHA-256, to an agent token', async () => {
    const { token } = await newAgent('downloader');
    const response = await fetchBundle(`Bearer ${token}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-checksum-sha256']).toBe(manifest.sha256);
    expect(response.headers['x-agent-version']).toBe(manifest.version);
    expect(createHash('sha256').update(response.rawPayload).digest('hex')).toBe(manifest.sha256);
  });

  it('refuses no token, a malformed one, an API token and a replaced agent token with 401', async () => {
    const { id, token } = await newAgent('replaced');
    await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: { cookie: owner.cookie } });
    const apiToken = await createApiToken(t.app, { cookie: owner.cookie });
    for (const authorization of [
      undefined,
      'Bearer opa_garbage',
      `Bearer ${apiToken.token}`,
      `Bearer ${token}`,
    ]) {
      const response = await fetchBundle(authorization);
      expect(response.statusCode, authorization).toBe(401);
      expect(response.json().error.code).toBe('unauthenticated');
    }
  });

  it('limits attempts per token like the agent socket does', async () => {
    const { token } = await newAgent('eager');
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await fetchBundle(`Bearer ${token}`)).statusCode);
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
