import type { Database, Prisma } from '@outpost/db/client';
import { AuditActorType, type AuditEvent, type AuditEventPage } from '@outpost/protocol/rest/audit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../context.ts';
import { AppError } from '../../errors.ts';

/** What audit events say happened. Resource changes use `<resource>.created|updated|deleted`. */
export type AuditAction =
  | 'auth.signed_up'
  | 'auth.signed_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_in_throttled'
  | 'auth.signed_out'
  | 'member.added'
  | 'member.role_changed'
  | 'member.removed'
  | 'environment.created'
  | 'account.migrated'
  | 'api_token.created'
  | 'api_token.token_shown'
  | 'api_token.token_generated'
  | 'api_token.deleted'
  | 'flow_run.started'
  | 'flow_run.cancelled'
  | `${string}.${'created' | 'updated' | 'deleted' | 'token_shown' | 'token_generated'}`;

export interface AuditEventInput {
  accountId: string;
  action: AuditAction;
  actor: Actor | { type: 'system' | 'user'; id: string | null; label: string | null };
  environmentId?: string | null;
  target?: { type: string; id: string };
  metadata?: Prisma.InputJsonObject;
  /** Where the request came from. */
  request?: Pick<FastifyRequest, 'ip' | 'headers'>;
}

/** Records one audit event; pass the transaction so that the event lands with the change or not at all. */
export async function recordAuditEvent(
  db: Pick<Database, 'auditEvent'>,
  event: AuditEventInput,
): Promise<void> {
  await db.auditEvent.create({
    data: {
      accountId: event.accountId,
      environmentId: event.environmentId ?? null,
      actorType: event.actor.type,
      actorId: event.actor.id,
      actorLabel: event.actor.label,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      ipAddress: event.request?.ip ?? null,
      userAgent: event.request?.headers['user-agent']?.slice(0, 300) ?? null,
      metadata: event.metadata ?? {},
    },
  });
}

export interface AuditEventFilter {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
}

/** The account's audit log, newest first, a page at a time (keyset on createdAt, id). */
export async function listAuditEvents(
  db: Database,
  accountId: string,
  filter: AuditEventFilter,
): Promise<AuditEventPage> {
  const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
  const events = await db.auditEvent.findMany({
    where: {
      accountId,
      ...(filter.action ? { action: filter.action } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    // One more than asked tells whether there is a next page.
    take: filter.limit + 1,
  });
  const page = events.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAuditEvent),
    nextCursor: events.length > filter.limit && last ? encodeCursor(last) : null,
  };
}

type AuditEventRow = Awaited<ReturnType<Database['auditEvent']['findMany']>>[number];

function toAuditEvent(event: AuditEventRow): AuditEvent {
  const actorType = AuditActorType.safeParse(event.actorType);
  const metadata = event.metadata;
  return {
    id: event.id,
    action: event.action,
    actor: {
      type: actorType.success ? actorType.data : 'system',
      id: event.actorId,
      label: event.actorLabel,
    },
    environmentId: event.environmentId,
    targetType: event.targetType,
    targetId: event.targetId,
    ipAddress: event.ipAddress,
    userAgent: event.userAgent,
    metadata: typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata : {},
    createdAt: event.createdAt.toISOString(),
  };
}

/** The cursor is opaque to clients: base64url of `[createdAt, id]` of the last event of a page. */
const Cursor = z.tuple([z.iso.datetime(), z.uuid()]);

function encodeCursor(event: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([event.createdAt.toISOString(), event.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = Cursor.safeParse(decoded);
  if (!parsed.success) {
    const message = 'Not a cursor from a previous page';
    throw new AppError('validation_failed', `querystring.cursor: ${message}`, [
      { path: 'querystring.cursor', message },
    ]);
  }
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}
