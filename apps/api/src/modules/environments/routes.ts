import { CreateEnvironmentBody, Environment, EnvironmentList } from '@outpost/protocol/rest/environments';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createEnvironment, listEnvironments, toEnvironment } from './service.ts';

const tags = ['Environments'];

export async function environmentRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/environments',
    {
      schema: {
        tags,
        summary: "The account's environments, oldest first",
        response: { 200: EnvironmentList },
      },
      config: { access: 'read' },
    },
    async (request) => {
      const environments = await listEnvironments(app.db, request.context.account.id);
      return { items: environments.map(toEnvironment) };
    },
  );

  router.post(
    '/v1/environments',
    {
      schema: {
        tags,
        summary: 'Create an environment with its own scope (multi-environment accounts only)',
        body: CreateEnvironmentBody,
        response: { 201: Environment },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const { account, actor } = request.context;
      const environment = await createEnvironment(app.db, {
        accountId: account.id,
        actor,
        body: request.body,
        request,
      });
      return reply.status(201).send(toEnvironment(environment));
    },
  );
}
