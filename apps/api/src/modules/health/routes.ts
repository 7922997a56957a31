import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.ts';

const Health = z.object({ status: z.literal('ok') });

export async function healthRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();
  router.get(
    '/healthz',
    { schema: { tags: ['Health'], summary: 'Liveness: the process answers', response: { 200: Health } } },
    async () => ({
      status: 'ok' as const,
    }),
  );
  router.get(
    '/readyz',
    { schema: { tags: ['Health'], summary: 'Readiness: the database answers', response: { 200: Health } } },
    async () => {
      try {
        await app.db.$queryRaw`SELECT 1`;
      } catch {
        throw new AppError('unavailable', 'The database is not reachable');
      }
      return { status: 'ok' as const };
    },
  );
}
