import type { Me } from '@outpost/protocol/rest/accounts';
import { canAdministerAccount, canManageResources, canSeeTokens } from '@outpost/protocol/roles';

/** What the signed-in person may do, from the same rules the API enforces. */
export function permissionsOf(me: Me) {
  return {
    administer: canAdministerAccount(me.role),
    manage: canManageResources(me.role),
    seeTokens: canSeeTokens(me.role),
    isOwner: me.role === 'OWNER',
  };
}
