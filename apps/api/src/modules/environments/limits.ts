import type { Prisma } from '@outpost/db/client';
import type { EnvironmentResourceType } from '@outpost/protocol/rest/environments';
import { AppError } from '../../errors.ts';
import { countScopeResources, RESOURCE_LABELS } from './usage.ts';

type Tx = Prisma.TransactionClient;

/**
 * How many resources of each type one environment (one scope) may hold. The one place these
 * numbers live: creates check them, account settings show them.
 */
export const ENVIRONMENT_LIMITS: Record<EnvironmentResourceType, number> = {
  agents: 100,
  apiTokens: 100,
  connections: 500,
  exports: 500,
  imports: 500,
  scripts: 500,
  flows: 500,
};

/**
 * Refuses with 409 `limit_reached` when the scope already holds its limit of `type`. Call it inside
 * the transaction that creates the resource: it locks the scope row, so concurrent creates are
 * counted one after the other and cannot pass the limit together.
 */
export async function ensureBelowLimit(
  tx: Tx,
  scopeId: string,
  type: EnvironmentResourceType,
): Promise<void> {
  const scope = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM "Scope" WHERE id = ${scopeId}::uuid FOR UPDATE`;
  // The environment was deleted while this request waited for it.
  if (scope.length === 0) throw new AppError('unknown_environment', 'This environment no longer exists');
  const count = (await countScopeResources(tx, scopeId, [type]))[type];
  const limit = ENVIRONMENT_LIMITS[type];
  if (count >= limit) {
    throw new AppError(
      'limit_reached',
      `An environment holds at most ${limit} ${RESOURCE_LABELS[type].plural}; delete one before creating another`,
    );
  }
}
