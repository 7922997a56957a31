import {
  ApiToken,
  ApiTokenList,
  CreateApiTokenBody,
  CreatedApiToken,
  UpdateApiTokenBody,
} from '@outpost/protocol/rest/api-tokens';
import { IdParams, TokenResponse } from '@outpost/protocol/rest/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type ApiTokenChangeBy,
  createApiToken,
  deleteApiToken,
  generateApiToken,
  getApiToken,
  listApiTokens,
  showApiToken,
  updateApiToken,
} from './service.ts';

const tags = ['API tokens'];

function changeBy(request: FastifyRequest): ApiTokenChangeBy {
  const { account, actor, environment } = request.context;
  return { accountId: account.id, actor, environment, request };
}

/** API tokens of the request's scope (in a legacy account: Production's and Sandbox's together). */
export async function apiTokenRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/api-tokens',
    {
      schema: {
        tags,
        summary: "The API tokens of this environment's scope, oldest first",
        response: { 200: ApiTokenList },
      },
      config: { access: 'admin' },
    },
    async (request) => ({ items: await listApiTokens(app.db, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/api-tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token acting in this environment; the token is in this answer only',
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken },
      },
      config: { access: 'admin' },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(app.db, app.secrets, changeBy(request), request.body)),
  );

  router.get(
    '/v1/api-tokens/:id',
    {
      schema: {
        tags,
        summary: 'One API token (without the token)',
        params: IdParams,
        response: { 200: ApiToken },
      },
      config: { access: 'admin' },
    },
    async (request) => getApiToken(app.db, request.context.environment.scopeId, request.params.id),
  );

  router.patch(
    '/v1/api-tokens/:id',
    {
      schema: {
        tags,
        summary: 'Rename an API token or change its role',
        params: IdParams,
        body: UpdateApiTokenBody,
        response: { 200: ApiToken },
      },
      config: { access: 'admin' },
    },
    async (request) => updateApiToken(app.db, changeBy(request), request.params.id, request.body),
  );

  router.get(
    '/v1/api-tokens/:id/token',
    {
      schema: {
        tags,
        summary: 'Show token: the current token (audited)',
        params: IdParams,
        response: { 200: TokenResponse },
      },
      config: { access: 'admin' },
    },
    async (request) => showApiToken(app.db, app.secrets, changeBy(request), request.params.id),
  );

  router.post(
    '/v1/api-tokens/:id/token',
    {
      schema: {
        tags,
        summary: 'Generate token: a new token; the old one stops working at once (audited)',
        params: IdParams,
        response: { 200: TokenResponse },
      },
      config: { access: 'admin' },
    },
    async (request) => generateApiToken(app.db, app.secrets, changeBy(request), request.params.id),
  );

  router.delete(
    '/v1/api-tokens/:id',
    {
      schema: { tags, summary: 'Delete an API token', params: IdParams, response: { 204: z.null() } },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      await deleteApiToken(app.db, changeBy(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
