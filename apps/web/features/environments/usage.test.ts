import { describe, expect, it } from 'vitest';
import { heldResources, isBuiltIn } from './usage';

const none = { agents: 0, apiTokens: 0, connections: 0, exports: 0, imports: 0, scripts: 0, flows: 0 };

describe('heldResources', () => {
  it('names each type the environment holds, one or many, and leaves out the empty ones', () => {
    expect(heldResources({ ...none, agents: 1, connections: 2, apiTokens: 1, flows: 3 })).toEqual([
      '1 agent',
      '1 API token',
      '2 connections',
      '3 flows',
    ]);
  });

  it('is empty for an empty environment', () => {
    expect(heldResources(none)).toEqual([]);
  });
});

describe('isBuiltIn', () => {
  it('is true for Production and Sandbox only', () => {
    expect(['production', 'sandbox', 'staging'].map(isBuiltIn)).toEqual([true, true, false]);
  });
});
