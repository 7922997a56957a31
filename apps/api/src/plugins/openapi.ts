import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** OpenAPI generated from the routes' zod schemas: JSON at `/docs/json`, the explorer at `/docs`. */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Outpost API',
          version: '1',
          description:
            'REST API of the Outpost control plane. Browsers use the session cookie (state-changing requests also send `x-outpost-client`); programs send `Authorization: Bearer opk_…`. A cookie request picks its environment with `x-outpost-environment` (default `production`).',
        },
        servers: [{ url: app.config.publicUrl }],
        components: {
          securitySchemes: {
            apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (opk_…)' },
            session: { type: 'apiKey', in: 'cookie', name: 'outpost_session' },
          },
        },
        security: [{ apiToken: [] }, { session: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'openapi', dependencies: [] },
);
