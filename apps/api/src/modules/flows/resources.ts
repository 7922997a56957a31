import { Prisma } from '@outpost/db/client';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../context.ts';
import { conflict } from '../../errors.ts';
import type { AuditAction, AuditEventInput } from '../audit/service.ts';

/** What exports, imports, scripts, flows and runs share: the caller, names, lists, audit events. */

export type Caller = Pick<RequestContext, 'actor' | 'account' | 'environment'>;

/** The words a resource's messages use: `export`, `import`, `script`, `flow`. */
export type ResourceKind = 'export' | 'import' | 'script' | 'flow';

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Lists come whole, by name, ignoring case. */
export function byName<T extends { name: string; id: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
}

/** The names of some rows, by name: what a message lists. */
export function namesOf(rows: { name: string }[]): string[] {
  return rows.map((row) => row.name).sort(collator.compare);
}

/** A name is unique in its scope: a save that clashes (also one racing another) answers 409. */
export async function uniqueName<T>(kind: ResourceKind, name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      throw conflict(`${capitalArticle(kind)} ${kind} named "${name}" already exists in this environment`);
    throw error;
  }
}

/** `An export`, `A script`. */
export function capitalArticle(kind: ResourceKind): 'A' | 'An' {
  return kind === 'export' || kind === 'import' ? 'An' : 'A';
}

export function auditOf(
  caller: Caller,
  action: AuditAction,
  target: { type: string; id: string },
  request: Pick<FastifyRequest, 'ip' | 'headers'>,
  metadata: Prisma.InputJsonObject,
): AuditEventInput {
  return {
    accountId: caller.account.id,
    environmentId: caller.environment.id,
    action,
    actor: caller.actor,
    target,
    metadata,
    request,
  };
}

/** `2026-11-28T23:45:00.000Z`, or null. */
export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
