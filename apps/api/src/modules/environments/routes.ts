import { IdParams } from '@outpost/protocol/rest/common';
import {
  CreateEnvironmentBody,
  DeleteEnvironmentQuery,
  Environment,
  EnvironmentList,
  EnvironmentUsageList,
  UpdateEnvironmentBody,
} from '@outpost/protocol/rest/environments';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteEnvironment } from './delete-environment.ts';
import {
  createEnvironment,
  environmentUsage,
  listEnvironments,
  renameEnvironment,
  toEnvironment,
} from './service.ts';

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

  router.get(
    '/v1/environments/usage',
    {
      schema: {
        tags,
        summary: 'Every environment with its resources counted against the limits per environment',
        response: { 200: EnvironmentUsageList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await environmentUsage(app.db, request.context.account.id) }),
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

  router.patch(
    '/v1/environments/:id',
    {
      schema: {
        tags,
        summary: 'Rename an environment (its slug stays; Production and Sandbox keep their names)',
        params: IdParams,
        body: UpdateEnvironmentBody,
        response: { 200: Environment },
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const { account, actor } = request.context;
      const environment = await renameEnvironment(
        app.db,
        { accountId: account.id, actor, environmentId: request.params.id, request },
        request.body,
      );
      return toEnvironment(environment);
    },
  );

  router.delete(
    '/v1/environments/:id',
    {
      schema: {
        tags,
        summary:
          'Delete an environment: an empty one, or with cascade=true everything in it (409 environment_not_empty otherwise; refused while a flow run of it is queued or running; never Production or Sandbox)',
        params: IdParams,
        querystring: DeleteEnvironmentQuery,
        response: { 204: z.null() },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const { account, actor } = request.context;
      await deleteEnvironment(
        { db: app.db, events: app.agentEvents },
        { accountId: account.id, actor, environmentId: request.params.id, request },
        { cascade: request.query.cascade },
      );
      return reply.status(204).send(null);
    },
  );
}
