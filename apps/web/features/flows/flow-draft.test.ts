import type { Flow } from '@outpost/protocol/rest/flows';
import { describe, expect, it } from 'vitest';
import { flowBody, flowDraftOf, moveItem, validateFlow } from './flow-draft';

const ID = (n: number) => `0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a${String(n).padStart(2, '0')}`;

const saved: Flow = {
  id: ID(0),
  name: 'Orders to CRM',
  description: '',
  enabled: false,
  schedule: '*/15 * * * *',
  timezone: 'Europe/Berlin',
  pageSize: 200,
  nextRunAt: null,
  export: { id: ID(1), name: 'Open orders' },
  scripts: [
    { id: ID(2), name: 'Full name', kind: 'TRANSFORM' },
    { id: ID(3), name: 'Only paid', kind: 'FILTER' },
  ],
  imports: [{ id: ID(4), name: 'CRM' }],
  lastRun: null,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:00.000Z',
};

describe('flowBody', () => {
  it('sends the picks in their order, and the schedule only when scheduled', () => {
    const draft = flowDraftOf(saved);
    expect(flowBody(draft)).toEqual({
      name: 'Orders to CRM',
      description: '',
      exportId: ID(1),
      scriptIds: [ID(2), ID(3)],
      importIds: [ID(4)],
      pageSize: 200,
      schedule: '*/15 * * * *',
      timezone: 'Europe/Berlin',
      enabled: false,
    });
    expect(flowBody({ ...draft, trigger: 'manual' }).schedule).toBeNull();
  });

  it('starts a new flow Manual, enabled, in the given time zone', () => {
    expect(flowDraftOf(undefined, 'America/New_York')).toMatchObject({
      trigger: 'manual',
      enabled: true,
      timezone: 'America/New_York',
      pageSize: '500',
      scriptIds: [],
    });
  });
});

describe('validateFlow', () => {
  it('asks for an export and an import, and a five-field schedule', () => {
    const draft = {
      ...flowDraftOf(undefined),
      name: 'Nightly',
      trigger: 'schedule' as const,
      schedule: '0 2 * *',
    };
    expect(validateFlow(draft, undefined)).toEqual({
      exportId: 'Pick the export the flow reads from',
      importIds: 'Pick at least one import',
      schedule: 'Five fields: minute hour day-of-month month day-of-week, e.g. 30 2 * * *',
    });
  });

  it('names a page size out of range', () => {
    expect(validateFlow({ ...flowDraftOf(saved), pageSize: '0' }, saved).pageSize).toBeDefined();
  });
});

describe('moveItem', () => {
  it('moves up and down, and stays put at either end', () => {
    expect(moveItem(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
