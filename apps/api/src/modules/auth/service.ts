import type { Database } from '@outpost/db/client';
import type { LoginBody, Me, SignupBody } from '@outpost/protocol/rest/accounts';
import { AppError, conflict } from '../../errors.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../lib/passwords.ts';
import { createBuiltInEnvironments } from '../environments/service.ts';

/**
 * Creates the user (or completes an invited one), their account with Production and Sandbox, and
 * makes them its OWNER, in one transaction.
 */
export async function signUp(db: Database, body: SignupBody) {
  const passwordHash = await hashPassword(body.password);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: body.email } });
    if (existing?.passwordHash) throw conflict('An account with this e-mail already exists; sign in instead');
    const user = existing
      ? await tx.user.update({
          where: { id: existing.id },
          data: { passwordHash, name: body.name ?? existing.name },
        })
      : await tx.user.create({ data: { email: body.email, name: body.name ?? null, passwordHash } });
    const account = await tx.account.create({ data: { name: body.accountName, license: body.license } });
    await tx.membership.create({ data: { accountId: account.id, userId: user.id, role: 'OWNER' } });
    await createBuiltInEnvironments(tx, account.id, body.license);
    return { user, account };
  });
}

/** The user and the account they land in (their oldest membership); the same error for any mismatch. */
export async function logIn(db: Database, body: LoginBody) {
  const user = await db.user.findUnique({
    where: { email: body.email },
    include: { memberships: { orderBy: { createdAt: 'asc' }, take: 1 } },
  });
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), body.password);
  const membership = user?.memberships[0];
  if (!user?.passwordHash || !valid)
    throw new AppError('invalid_credentials', 'E-mail or password is incorrect');
  if (!membership) throw new AppError('forbidden', 'You are not a member of any account');
  return { user, accountId: membership.accountId };
}

export async function getMe(db: Database, userId: string, accountId: string): Promise<Me> {
  const [user, account, memberships, environments] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId } }),
    db.account.findUniqueOrThrow({ where: { id: accountId } }),
    db.membership.findMany({ where: { userId }, include: { account: true }, orderBy: { createdAt: 'asc' } }),
    db.environment.findMany({ where: { accountId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const membership = memberships.find((candidate) => candidate.accountId === accountId);
  if (!membership) throw new AppError('unauthenticated', 'Sign in to continue');
  return {
    user: { id: user.id, email: user.email, name: user.name },
    account: { id: account.id, name: account.name, license: account.license },
    role: membership.role,
    environments: environments.map((environment) => ({
      id: environment.id,
      slug: environment.slug,
      name: environment.name,
      createdAt: environment.createdAt.toISOString(),
    })),
    accounts: memberships.map((candidate) => ({
      id: candidate.account.id,
      name: candidate.account.name,
      role: candidate.role,
    })),
  };
}
