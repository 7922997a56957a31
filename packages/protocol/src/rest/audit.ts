import { z } from 'zod';
import { PageQuery, pageOf } from './common.ts';

export const AuditActorType = z.enum(['user', 'api_token', 'agent', 'system']);
export type AuditActorType = z.infer<typeof AuditActorType>;

export const AuditEvent = z.object({
  id: z.uuid(),
  action: z.string(),
  actor: z.object({
    type: AuditActorType,
    id: z.string().nullable(),
    label: z.string().nullable(),
  }),
  environmentId: z.uuid().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** Newest first; `cursor` is the opaque `nextCursor` of the previous page. */
export const AuditEventQuery = PageQuery.extend({
  /** Only events with exactly this action, e.g. `api_token.token_shown`. */
  action: z.string().max(100).optional(),
});
export type AuditEventQuery = z.infer<typeof AuditEventQuery>;

export const AuditEventPage = pageOf(AuditEvent);
export type AuditEventPage = z.infer<typeof AuditEventPage>;
