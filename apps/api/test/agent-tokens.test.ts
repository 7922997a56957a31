import { isWellFormedToken } from '@outpost/protocol/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRevocation } from '../src/modules/agents/events.ts';
import { verifyAgentToken } from '../src/modules/agents/service.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';
import { everyRowAsText } from './support/every-row.ts';

let t: TestApp;
let owner: SignedUp;
const as = () => ({ cookie: owner.cookie });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
});
afterAll(() => t.close());

async function newAgent(name: string): Promise<{ id: string; token: string }> {
  const agent = (await call(t.app, 'POST', '/v1/agents', { as: as(), body: { name } })).json();
  const token = (await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: as() })).json().token;
  return { id: agent.id, token };
}

/** What the agent endpoint says to a token: 426 (valid, upgrade to WebSocket) or 401. */
async function connectStatus(token: string): Promise<number> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/v1/agent/connect',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.statusCode;
}

describe('agent tokens', () => {
  it('are well-formed: opa_ prefix, base62 and a valid checksum', async () => {
    const { token } = await newAgent('format');
    expect(isWellFormedToken(token, 'agent')).toBe(true);
  });

  it('never appear in plain text in the database', async () => {
    const tokens = await Promise.all(
      ['dump-1', 'dump-2', 'dump-3'].map(async (name) => (await newAgent(name)).token),
    );
    const dump = await everyRowAsText(t.db);
    expect(dump).toContain('dump-1'); // the dump does hold the agents…
    for (const token of tokens) {
      expect(dump).not.toContain(token); // …but none of their tokens
      expect(dump).not.toContain(token.slice(4, 24));
    }
  });

  it('Generate token: the old token fails verification at once and the new one passes', async () => {
    const { id, token: old } = await newAgent('regenerate');
    expect(await connectStatus(old)).toBe(426);
    const response = await call(t.app, 'POST', `/v1/agents/${id}/token`, { as: as() });
    expect(response.statusCode).toBe(200);
    const fresh = response.json().token;
    expect(fresh).not.toBe(old);
    expect(await verifyAgentToken(t.db, old)).toBeNull();
    expect((await verifyAgentToken(t.db, fresh))?.id).toBe(id);
    expect(await connectStatus(old)).toBe(401);
    expect(await connectStatus(fresh)).toBe(426);
    expect((await call(t.app, 'GET', `/v1/agents/${id}/token`, { as: as() })).json().token).toBe(fresh);
    const agent = (await call(t.app, 'GET', `/v1/agents/${id}`, { as: as() })).json();
    expect(fresh.endsWith(agent.tokenLast4)).toBe(true);
  });

  it('Generate token twice at once: exactly one token is valid afterwards, and it is the one Show token shows', async () => {
    const { id, token: old } = await newAgent('race');
    const responses = await Promise.all(
      [1, 2].map(() => call(t.app, 'POST', `/v1/agents/${id}/token`, { as: as() })),
    );
    for (const response of responses) expect([200, 409]).toContain(response.statusCode);
    const issued = responses
      .filter((response) => response.statusCode === 200)
      .map((response) => response.json().token as string);
    const valid = [];
    for (const token of [old, ...issued]) if (await verifyAgentToken(t.db, token)) valid.push(token);
    expect(valid).toHaveLength(1);
    expect((await call(t.app, 'GET', `/v1/agents/${id}/token`, { as: as() })).json().token).toBe(valid[0]);
  });

  it('tells the hub to close the session of a regenerated or deleted agent', async () => {
    const revocations: AgentRevocation[] = [];
    const unsubscribe = t.app.agentEvents.onRevocation((revocation) => revocations.push(revocation));
    try {
      const regenerated = await newAgent('hook-regenerate');
      const deleted = await newAgent('hook-delete');
      await call(t.app, 'POST', `/v1/agents/${regenerated.id}/token`, { as: as() });
      await call(t.app, 'DELETE', `/v1/agents/${deleted.id}`, { as: as() });
      expect(revocations).toEqual([
        { agentId: regenerated.id, reason: 'token_revoked' },
        { agentId: deleted.id, reason: 'agent_deleted' },
      ]);
      expect(await connectStatus(deleted.token)).toBe(401);
    } finally {
      unsubscribe();
    }
  });

  it('rejects garbage without touching the database, and an unknown well-formed token', async () => {
    for (const garbage of ['', 'opa_', 'opa_short', `opk_${'a'.repeat(36)}`, `opa_${'a'.repeat(36)}`]) {
      expect(await verifyAgentToken(t.db, garbage)).toBeNull();
    }
    const { token } = await newAgent('unknown');
    const unknown = `${token.slice(0, 10)}${token[10] === 'Z' ? 'Y' : 'Z'}${token.slice(11)}`; // breaks the checksum
    expect(await verifyAgentToken(t.db, unknown)).toBeNull();
    expect(await connectStatus(unknown)).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/agent/connect' })).statusCode).toBe(401);
  });

  it('refuses Show token and Generate token to another tenant, with 404 and no token', async () => {
    const { id, token } = await newAgent('private');
    const stranger = await signUp(t.app);
    for (const method of ['GET', 'POST'] as const) {
      const response = await call(t.app, method, `/v1/agents/${id}/token`, {
        as: { cookie: stranger.cookie },
      });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain('opa_');
    }
    expect((await verifyAgentToken(t.db, token))?.id).toBe(id);
  });
});
