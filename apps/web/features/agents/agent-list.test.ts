import type { Agent } from '@outpost/protocol/rest/agents';
import { describe, expect, it } from 'vitest';
import { type AgentList, appendPage, applyAgentEvent, removeAgent, upsertAgent } from './agent-list';

let sequence = 0;
function agent(name: string, fields: Partial<Agent> = {}): Agent {
  sequence += 1;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    name,
    description: '',
    status: 'awaiting_setup',
    version: null,
    hostname: null,
    os: null,
    arch: null,
    ipAddress: null,
    connectedAt: null,
    lastSeenAt: null,
    tokenLast4: 'abcd',
    autoUpgrade: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    ...fields,
  };
}

const names = (list: AgentList) => list.items.map((item) => item.name);

describe('the agent list', () => {
  const alpha = agent('alpha');
  const beta = agent('beta');
  const delta = agent('delta');
  const whole: AgentList = { items: [alpha, beta, delta], nextCursor: null, total: 3 };
  const firstPage: AgentList = { items: [alpha, beta], nextCursor: 'YmV0YQ', total: 3 };

  it('sorts by name as the database does (code points)', () => {
    const list = upsertAgent(whole, agent('Zeta'), { search: '' });
    expect(names(list)).toEqual(['Zeta', 'alpha', 'beta', 'delta']);
    expect(list.total).toBe(4);
  });

  it('replaces a changed agent in place and keeps the order after a rename', () => {
    const online = upsertAgent(whole, { ...beta, status: 'online' }, { search: '' });
    expect(online.items[1]?.status).toBe('online');
    expect(online.total).toBe(3);
    expect(names(upsertAgent(whole, { ...alpha, name: 'epsilon' }, { search: '' }))).toEqual([
      'beta',
      'delta',
      'epsilon',
    ]);
  });

  it('leaves a new agent beyond the loaded pages to its page, but counts it', () => {
    const list = upsertAgent(firstPage, agent('zulu', { updatedAt: '2026-01-01T00:00:00.000Z' }), {
      search: '',
    });
    expect(names(list)).toEqual(['alpha', 'beta']);
    expect(list.total).toBe(4);
  });

  it('does not count a change to an agent on a page not loaded yet', () => {
    expect(upsertAgent(firstPage, { ...delta, status: 'online' }, { search: '' })).toEqual(firstPage);
  });

  it('shows an agent created here wherever it sorts and whatever the search', () => {
    const list = upsertAgent(firstPage, agent('zulu'), { search: 'alp', pin: true });
    expect(names(list)).toEqual(['alpha', 'beta', 'zulu']);
    expect(list.total).toBe(4);
  });

  it('drops an agent that no longer matches the search', () => {
    const searched: AgentList = { items: [alpha], nextCursor: null, total: 1 };
    const renamed = upsertAgent(searched, { ...alpha, name: 'omega' }, { search: 'alp' });
    expect(renamed).toEqual({ items: [], nextCursor: null, total: 0 });
    const hostMatch = upsertAgent(searched, agent('gamma', { hostname: 'ALPine-01' }), { search: 'alp' });
    expect(names(hostMatch)).toEqual(['alpha', 'gamma']);
  });

  it('removes deleted agents, counting unloaded ones only without a search', () => {
    expect(removeAgent(whole, beta.id, { search: '' })).toEqual({
      items: [alpha, delta],
      nextCursor: null,
      total: 2,
    });
    expect(removeAgent(firstPage, delta.id, { search: '' }).total).toBe(2);
    expect(removeAgent(firstPage, delta.id, { search: 'x' }).total).toBe(3);
    expect(removeAgent(firstPage, delta.id, { search: '', countUnlisted: false }).total).toBe(3);
  });

  it('appends a page without showing an agent twice', () => {
    const list = appendPage(upsertAgent(firstPage, delta, { search: '', pin: true }), {
      items: [delta, agent('echo')],
      nextCursor: null,
      total: 4,
    });
    expect(names(list)).toEqual(['alpha', 'beta', 'delta', 'echo']);
    expect(list.nextCursor).toBeNull();
  });

  it('applies events', () => {
    const pinned = new Set<string>();
    const deleted = applyAgentEvent(
      whole,
      { type: 'agent.deleted', agentId: alpha.id },
      { search: '', pinned },
    );
    expect(names(deleted)).toEqual(['beta', 'delta']);
    const upserted = applyAgentEvent(
      deleted,
      { type: 'agent.upserted', agent: { ...beta, status: 'offline' } },
      { search: '', pinned },
    );
    expect(upserted.items[0]?.status).toBe('offline');
  });
});
