import { type Database, Prisma } from '@outpost/db/client';
import type { License } from '@outpost/protocol/rest/accounts';
import {
  MIGRATION_RESOURCE_TYPES,
  type MigrationPlan,
  type MigrationPreview,
  type MigrationReport,
  type MigrationSummary,
} from '@outpost/protocol/rest/migrations';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { AgentEvents } from '../agents/events.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { copyResources, type MigrationStep } from './copy.ts';
import { describeMigration } from './describe.ts';
import { readSharedScope } from './source.ts';

type Reader = Database | Prisma.TransactionClient;

export interface MigrationDeps {
  db: Database;
  secrets: SecretBox;
  events: AgentEvents;
  /**
   * Tests only (never set by a route): called after each step inside the transaction; throwing
   * from it fails the migration half-way.
   */
  faultAfter?: (step: MigrationStep) => void;
}

export interface MigrationCaller {
  accountId: string;
  actor: Actor;
  request: Pick<FastifyRequest, 'ip' | 'headers'>;
}

/** What a second migration, or one of a multi-environment account, is told. */
async function alreadyMigrated(db: Reader, accountId: string): Promise<AppError> {
  const migration = await db.accountMigration.findUnique({
    where: { accountId },
    select: { createdAt: true },
  });
  const when = migration
    ? ` (migrated on ${migration.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`
    : '';
  return new AppError('already_migrated', `This account already uses multiple environments${when}`);
}

/** Production and Sandbox of a legacy account, which share one scope. */
async function legacyEnvironments(db: Reader, accountId: string) {
  const environments = await db.environment.findMany({
    where: { accountId, slug: { in: ['production', 'sandbox'] } },
  });
  const production = environments.find((environment) => environment.slug === 'production');
  const sandbox = environments.find((environment) => environment.slug === 'sandbox');
  if (!production || !sandbox || production.scopeId !== sandbox.scopeId) {
    throw new Error(`Account ${accountId} is legacy but its Production and Sandbox do not share a scope`);
  }
  return { production, sandbox };
}

/** What a migration would do now: every resource, its outcome and the action it would leave. */
export async function previewMigration(db: Database, accountId: string): Promise<MigrationPreview> {
  const account = await db.account.findUnique({
    where: { id: accountId },
    select: { id: true, name: true, license: true },
  });
  if (!account) throw notFound('Account');
  if (account.license !== 'LEGACY') throw await alreadyMigrated(db, accountId);
  const { production } = await legacyEnvironments(db, accountId);
  const source = await readSharedScope(db, production.scopeId);
  return { account: { id: account.id, name: account.name }, ...describeMigration(source, null) };
}

/**
 * Legacy → multi-environment, in one transaction: Production keeps the shared scope and every row
 * in it untouched (its agents stay connected, its runs keep running); Sandbox gets a new scope with
 * copies. The account row is locked first, and the report row is unique per account, so of two
 * concurrent migrations one runs and the other is refused; a failure anywhere leaves nothing.
 */
export async function migrateAccount(deps: MigrationDeps, caller: MigrationCaller): Promise<MigrationReport> {
  const { accountId, actor, request } = caller;
  const after = (step: MigrationStep) => deps.faultAfter?.(step);
  let done: { migrationId: string; sandboxScopeId: string; sandboxAgentIds: string[] };
  try {
    done = await deps.db.$transaction(
      async (tx) => {
        const [account] = await tx.$queryRaw<{ license: License }[]>`
          SELECT license::text AS license FROM "Account" WHERE id = ${accountId}::uuid FOR UPDATE`;
        if (!account) throw notFound('Account');
        if (account.license !== 'LEGACY') throw await alreadyMigrated(tx, accountId);
        const { production, sandbox } = await legacyEnvironments(tx, accountId);
        const source = await readSharedScope(tx, production.scopeId);

        const scope = await tx.scope.create({ data: { accountId }, select: { id: true } });
        await tx.environment.update({ where: { id: sandbox.id }, data: { scopeId: scope.id } });
        after('scope');
        const copies = await copyResources({
          tx,
          secrets: deps.secrets,
          source,
          sharedScopeId: production.scopeId,
          scopeId: scope.id,
          sandboxEnvironmentId: sandbox.id,
          productionEnvironmentId: production.id,
          after,
        });
        await tx.account.update({ where: { id: accountId }, data: { license: 'MULTI_ENV' } });
        after('license');

        const plan = describeMigration(source, copies);
        const migration = await tx.accountMigration.create({
          data: {
            accountId,
            startedById: actor.type === 'user' ? actor.id : null,
            report: plan as unknown as Prisma.InputJsonObject,
          },
          select: { id: true },
        });
        await recordAuditEvent(tx, {
          accountId,
          action: 'account.migrated',
          actor,
          target: { type: 'account_migration', id: migration.id },
          metadata: {
            from: 'LEGACY',
            to: 'MULTI_ENV',
            sandboxScopeId: scope.id,
            copied: Object.fromEntries(
              MIGRATION_RESOURCE_TYPES.map((type) => [
                type,
                plan.items.filter((item) => item.type === type && item.environment === 'sandbox').length,
              ]),
            ),
          },
          request,
        });
        after('report');
        return {
          migrationId: migration.id,
          sandboxScopeId: scope.id,
          sandboxAgentIds: source.agents.map((agent) => copies.get(agent.id) ?? ''),
        };
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 10_000, timeout: 60_000 },
    );
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A concurrent migration of this account committed first (the lock, the snapshot or the
    // unique report row stopped this one): answer as a second run is answered.
    if (await deps.db.accountMigration.findUnique({ where: { accountId }, select: { id: true } })) {
      throw await alreadyMigrated(deps.db, accountId);
    }
    throw error;
  }
  for (const agentId of done.sandboxAgentIds) {
    deps.events.publishChange({ type: 'changed', scopeId: done.sandboxScopeId, agentId });
  }
  return getMigration(deps.db, accountId, done.migrationId);
}

/** The kept migrations of the account (at most one), newest first. */
export async function listMigrations(db: Database, accountId: string): Promise<MigrationSummary[]> {
  const migrations = await db.accountMigration.findMany({
    where: { accountId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, createdAt: true, startedById: true },
  });
  return Promise.all(migrations.map((migration) => toSummary(db, migration)));
}

/** The kept report of a migration of the account; another account's is not found. */
export async function getMigration(db: Database, accountId: string, id: string): Promise<MigrationReport> {
  const migration = await db.accountMigration.findFirst({ where: { id, accountId } });
  if (!migration) throw notFound('Migration');
  const plan = migration.report as unknown as MigrationPlan;
  return { ...(await toSummary(db, migration)), items: plan.items, notes: plan.notes };
}

async function toSummary(
  db: Database,
  migration: { id: string; createdAt: Date; startedById: string | null },
): Promise<MigrationSummary> {
  const user = migration.startedById
    ? await db.user.findUnique({ where: { id: migration.startedById }, select: { id: true, email: true } })
    : null;
  return { id: migration.id, createdAt: migration.createdAt.toISOString(), startedBy: user };
}
