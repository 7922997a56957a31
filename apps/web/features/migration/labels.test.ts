import type { MigrationItem } from '@outpost/protocol/rest/migrations';
import { describe, expect, it } from 'vitest';
import { actionsLeft } from './labels';

const item = (action: string | null): MigrationItem => ({
  type: 'agent',
  name: 'Plant agent',
  environment: action ? 'sandbox' : 'production',
  outcome: action ? 'copied_new_token' : 'kept',
  id: null,
  sourceId: null,
  action,
  note: null,
});

describe('actionsLeft', () => {
  it('keeps the items that leave something to do, in order', () => {
    const todo = item('Show token on agent "Plant agent" in Sandbox and install it');
    expect(actionsLeft([item(null), todo, item(null)])).toEqual([todo]);
  });
});
