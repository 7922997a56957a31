import { describe, expect, it } from 'vitest';
import { describeAuditAction } from './audit-action';

describe('describeAuditAction', () => {
  it.each([
    ['auth.signed_in', 'Signed in'],
    ['api_token.token_shown', 'API token: token shown'],
    ['member.role_changed', 'Member: role changed'],
    ['something_new.happened', 'Something new: happened'],
  ])('%s → %s', (action, text) => {
    expect(describeAuditAction(action)).toBe(text);
  });
});
