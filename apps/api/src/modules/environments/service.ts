import type { Database, Prisma } from '@outpost/db/client';
import type { License } from '@outpost/protocol/rest/accounts';
import type { RequestEnvironment } from '../../context.ts';

type Tx = Prisma.TransactionClient;

/** Production and Sandbox, which every account has. */
export const BUILT_IN_ENVIRONMENTS = [
  { slug: 'production', name: 'Production' },
  { slug: 'sandbox', name: 'Sandbox' },
] as const;

/**
 * Creates Production and Sandbox for a new account: LEGACY points both at one shared scope,
 * MULTI_ENV gives each its own.
 */
export async function createBuiltInEnvironments(tx: Tx, accountId: string, license: License): Promise<void> {
  const shared = license === 'LEGACY' ? await tx.scope.create({ data: { accountId } }) : undefined;
  for (const environment of BUILT_IN_ENVIRONMENTS) {
    const scope = shared ?? (await tx.scope.create({ data: { accountId } }));
    await tx.environment.create({ data: { ...environment, accountId, scopeId: scope.id } });
  }
}

export async function findEnvironmentBySlug(
  db: Database,
  accountId: string,
  slug: string,
): Promise<RequestEnvironment | null> {
  return db.environment.findUnique({
    where: { accountId_slug: { accountId, slug } },
    select: { id: true, slug: true, name: true, scopeId: true },
  });
}

export async function listEnvironments(db: Database, accountId: string) {
  return db.environment.findMany({ where: { accountId }, orderBy: { createdAt: 'asc' } });
}
