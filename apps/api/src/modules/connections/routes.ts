import { Readable } from 'node:stream';
import { closeSqlPools } from '@outpost/connectors/sql';
import { IdParams } from '@outpost/protocol/rest/common';
import {
  Connection,
  ConnectionHttpBody,
  ConnectionList,
  ConnectionQueryBody,
  ConnectionTestResult,
  CreateConnectionBody,
  OAuthAuthorizeQuery,
  OAuthAuthorizeResponse,
  OAuthCallbackQuery,
  UpdateConnectionBody,
} from '@outpost/protocol/rest/connections';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { completeOAuthAuthorization, startOAuthAuthorization } from './oauth-flow.ts';
import { ConnectionFailure } from './runner.ts';
import {
  type ConnectionDeps,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  runSqlQuery,
  sendHttpRequest,
  testConnection,
  updateConnection,
  viewOf,
} from './service.ts';

const tags = ['Connections'];

export async function connectionRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();
  const deps: ConnectionDeps & { publicUrl: string } = {
    db: app.db,
    secrets: app.secrets,
    hub: app.hub,
    privateTargets: app.config.privateTargets,
    publicUrl: app.config.publicUrl,
  };
  // Cloud connections' database pools live in this process; a shutdown closes them.
  app.addHook('onClose', () => closeSqlPools());

  router.get(
    '/v1/connections',
    {
      schema: {
        tags,
        summary: 'List the connections of this environment, by name (secrets never included)',
        response: { 200: ConnectionList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listConnections(deps, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/connections',
    {
      schema: {
        tags,
        summary:
          'Create a connection: Mode CLOUD (default) or ON_PREMISE with an agent of this environment; secrets are write-only',
        body: CreateConnectionBody,
        response: { 201: Connection },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(viewOf(deps, await createConnection(deps, request.context, request.body, request))),
  );

  router.get(
    '/v1/connections/:id',
    {
      schema: {
        tags,
        summary: 'One connection (secrets never included)',
        params: IdParams,
        response: { 200: Connection },
      },
      config: { access: 'read' },
    },
    async (request) =>
      viewOf(deps, await getConnection(deps, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/connections/:id',
    {
      schema: {
        tags,
        summary: 'Change a connection; settings are replaced whole, except secrets left out, which are kept',
        params: IdParams,
        body: UpdateConnectionBody,
        response: { 200: Connection },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      viewOf(deps, await updateConnection(deps, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/connections/:id',
    {
      schema: { tags, summary: 'Delete a connection', params: IdParams, response: { 204: z.null() } },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteConnection(deps, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );

  router.post(
    '/v1/connections/:id/test',
    {
      schema: {
        tags,
        summary:
          'Test connection: a real probe where the connection runs (in the cloud, or on its agent); 200 with ok true or false',
        params: IdParams,
        response: { 200: ConnectionTestResult },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      testConnection(deps, await getConnection(deps, request.context.environment.scopeId, request.params.id)),
  );

  router.post(
    '/v1/connections/:id/http',
    {
      schema: {
        tags,
        summary:
          "Send one HTTP request through the connection (its auth applied, where it runs); the answer's body streams back as is, with its status in x-outpost-upstream-status; 503 when it could not be sent",
        params: IdParams,
        body: ConnectionHttpBody,
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      const connection = await getConnection(deps, request.context.environment.scopeId, request.params.id);
      const answer = await failuresAsErrors(() => sendHttpRequest(deps, connection, request.body));
      const type = answer.headers['content-type'];
      reply
        .status(200)
        .header('x-outpost-upstream-status', String(answer.status))
        .header('content-type', (Array.isArray(type) ? type[0] : type) ?? 'application/octet-stream');
      return reply.send(answer.body ? Readable.from(answer.body) : Buffer.alloc(0));
    },
  );

  router.post(
    '/v1/connections/:id/query',
    {
      schema: {
        tags,
        summary:
          'Run one parameterised statement through a SQL connection, where it runs: NDJSON, a first line with columns and rowCount, then one JSON array per row, streamed; 503 when it could not run',
        params: IdParams,
        body: ConnectionQueryBody,
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      const connection = await getConnection(deps, request.context.environment.scopeId, request.params.id);
      const { rows, ...result } = await failuresAsErrors(() => runSqlQuery(deps, connection, request.body));
      async function* lines() {
        yield Buffer.from(`${JSON.stringify(result)}\n`);
        if (rows) yield* rows;
      }
      reply.status(200).header('content-type', 'application/x-ndjson');
      return reply.send(Readable.from(lines()));
    },
  );

  router.get(
    '/v1/connections/:id/oauth/authorize',
    {
      schema: {
        tags,
        summary:
          'Connect (OAuth 2.0 authorization code): the URL to open in the browser, with state and PKCE; it comes back to /v1/oauth/callback',
        params: IdParams,
        querystring: OAuthAuthorizeQuery,
        response: { 200: OAuthAuthorizeResponse },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      startOAuthAuthorization(deps, request.context, request.params.id, request.query.returnTo, request),
  );

  router.get(
    '/v1/oauth/callback',
    {
      schema: {
        tags,
        summary:
          'Where the authorization server sends the browser back: exchanges the code (through the agent when On-premise) and redirects to the page that started Connect',
        querystring: OAuthCallbackQuery,
      },
      // The single-use state authenticates this request; a person's Connect also needs their session.
      config: { access: 'public' },
    },
    async (request, reply) =>
      reply.redirect(await completeOAuthAuthorization(deps, request.query, request), 302),
  );
}

/** A request that could not be made (agent offline, refused, timed out…) is a 503 with its reason. */
async function failuresAsErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConnectionFailure)
      throw new AppError(
        error.code === 'invalid_input' ? 'bad_request' : 'unavailable',
        `${error.code}: ${error.message}`,
      );
    throw error;
  }
}
