import { z } from 'zod';
import { PageQuery } from './common.ts';

export const AuditEvent = z.object({
  id: z.uuid(),
  action: z.string(),
  actor: z.object({
    type: z.enum(['user', 'api_token', 'agent', 'system']),
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

export const AuditEventQuery = PageQuery.extend({
  action: z.string().max(100).optional(),
});
export type AuditEventQuery = z.infer<typeof AuditEventQuery>;
