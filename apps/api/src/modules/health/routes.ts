import { createHash, timingSafeEqual } from 'node:crypto';
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
    {
      schema: {
        tags: ['Health'],
        summary:
          'Readiness: the database (and Redis, with scale-out) answer, and the instance is not draining',
        response: { 200: Health },
      },
    },
    async () => {
      if (app.hub.draining) throw new AppError('unavailable', 'This instance is draining');
      try {
        await app.db.$queryRaw`SELECT 1`;
      } catch {
        throw new AppError('unavailable', 'The database is not reachable');
      }
      try {
        await app.scale?.ping();
      } catch {
        throw new AppError('unavailable', 'Redis is not reachable');
      }
      return { status: 'ok' as const };
    },
  );
  router.get(
    '/metrics',
    {
      schema: {
        tags: ['Health'],
        summary: 'Prometheus metrics (Authorization: Bearer <OUTPOST_METRICS_TOKEN> when it is set)',
      },
    },
    async (request, reply) => {
      const token = app.config.metricsToken;
      if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`))
        throw new AppError('unauthenticated', 'Send the metrics token as "Authorization: Bearer …"');
      const registry = app.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
