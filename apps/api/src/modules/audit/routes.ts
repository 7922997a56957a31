import { AuditEventPage, AuditEventQuery } from '@outpost/protocol/rest/audit';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listAuditEvents } from './service.ts';

export async function auditRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/audit-events',
    {
      schema: {
        tags: ['Audit log'],
        summary: "The account's audit log, newest first; pass `nextCursor` as `cursor` for the next page",
        querystring: AuditEventQuery,
        response: { 200: AuditEventPage },
      },
      config: { access: 'admin' },
    },
    async (request) => listAuditEvents(app.db, request.context.account.id, request.query),
  );
}
