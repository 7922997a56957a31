import type { Database, Prisma } from '@outpost/db/client';
import type { License } from '@outpost/protocol/rest/accounts';
import {
  type CreateEnvironmentBody,
  type Environment,
  type EnvironmentUsage,
  MAX_ENVIRONMENTS,
  type UpdateEnvironmentBody,
} from '@outpost/protocol/rest/environments';
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestEnvironment } from '../../context.ts';
import { conflict, notFound } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ENVIRONMENT_LIMITS } from './limits.ts';
import { activeRunCount, countScopeResources } from './usage.ts';

type Tx = Prisma.TransactionClient;

/** Production and Sandbox, which every account has. */
export const BUILT_IN_ENVIRONMENTS = [
  { slug: 'production', name: 'Production' },
  { slug: 'sandbox', name: 'Sandbox' },
] as const;

export function isBuiltIn(slug: string): boolean {
  return BUILT_IN_ENVIRONMENTS.some((environment) => environment.slug === slug);
}

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
  return db.environment.findMany({ where: { accountId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export function toEnvironment(environment: {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}): Environment {
  return {
    id: environment.id,
    slug: environment.slug,
    name: environment.name,
    createdAt: environment.createdAt.toISOString(),
  };
}

export interface NewEnvironment {
  accountId: string;
  actor: Actor;
  body: CreateEnvironmentBody;
  request: Pick<FastifyRequest, 'ip' | 'headers'>;
}

/**
 * Adds an environment with a scope of its own to a multi-environment account. The account row is
 * locked for the transaction, so concurrent requests can neither pass the limit together nor race
 * a license migration.
 */
export async function createEnvironment(db: Database, { accountId, actor, body, request }: NewEnvironment) {
  return db.$transaction(async (tx) => {
    const [account] = await tx.$queryRaw<{ license: License }[]>`
      SELECT license::text AS license FROM "Account" WHERE id = ${accountId}::uuid FOR UPDATE`;
    if (!account) throw notFound('Account');
    if (account.license === 'LEGACY') {
      throw conflict(
        'Legacy accounts have exactly two environments, Production and Sandbox, which share every resource; migrate the account to multi-environment first',
      );
    }
    const count = await tx.environment.count({ where: { accountId } });
    if (count >= MAX_ENVIRONMENTS) {
      throw conflict(`An account has at most ${MAX_ENVIRONMENTS} environments`);
    }
    const taken = await tx.environment.findUnique({
      where: { accountId_slug: { accountId, slug: body.slug } },
      select: { id: true },
    });
    if (taken) throw conflict(`An environment with the slug "${body.slug}" already exists`);
    const scope = await tx.scope.create({ data: { accountId } });
    const environment = await tx.environment.create({
      data: { accountId, scopeId: scope.id, slug: body.slug, name: body.name },
    });
    await recordAuditEvent(tx, {
      accountId,
      action: 'environment.created',
      actor,
      target: { type: 'environment', id: environment.id },
      metadata: { slug: environment.slug, name: environment.name },
      request,
    });
    return environment;
  });
}

/** Every environment of the account with its resources counted against the limits. */
export async function environmentUsage(db: Database, accountId: string): Promise<EnvironmentUsage[]> {
  const environments = await listEnvironments(db, accountId);
  const usage: EnvironmentUsage[] = [];
  for (const environment of environments) {
    usage.push({
      environment: toEnvironment(environment),
      counts: await countScopeResources(db, environment.scopeId),
      limits: ENVIRONMENT_LIMITS,
      activeRuns: await activeRunCount(db, environment.scopeId),
    });
  }
  return usage;
}

export interface EnvironmentChange {
  accountId: string;
  actor: Actor;
  environmentId: string;
  request: Pick<FastifyRequest, 'ip' | 'headers'>;
}

/** An environment of the account; one of another account is not found. */
export async function getEnvironment(db: Database | Tx, accountId: string, environmentId: string) {
  const environment = await db.environment.findFirst({ where: { id: environmentId, accountId } });
  if (!environment) throw notFound('Environment');
  return environment;
}

/** Rename: the slug stays, so links and API clients keep working. Production and Sandbox keep their names. */
export async function renameEnvironment(
  db: Database,
  { accountId, actor, environmentId, request }: EnvironmentChange,
  body: UpdateEnvironmentBody,
) {
  return db.$transaction(async (tx) => {
    const environment = await getEnvironment(tx, accountId, environmentId);
    if (isBuiltIn(environment.slug)) {
      throw conflict(`${environment.name} is part of every account and keeps its name`);
    }
    if (body.name === environment.name) return environment;
    const renamed = await tx.environment.update({ where: { id: environment.id }, data: { name: body.name } });
    await recordAuditEvent(tx, {
      accountId,
      action: 'environment.updated',
      actor,
      environmentId: environment.id,
      target: { type: 'environment', id: environment.id },
      metadata: { name: { from: environment.name, to: renamed.name } },
      request,
    });
    return renamed;
  });
}
