import type { Database, Prisma } from '@outpost/db/client';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../context.ts';

/** What audit events say happened. Resource changes use `<resource>.created|updated|deleted`. */
export type AuditAction =
  | 'auth.signed_up'
  | 'auth.signed_in'
  | 'auth.sign_in_failed'
  | 'auth.signed_out'
  | 'member.added'
  | 'member.role_changed'
  | 'member.removed'
  | 'environment.created'
  | 'api_token.created'
  | 'api_token.token_shown'
  | 'api_token.token_generated'
  | 'api_token.deleted'
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
