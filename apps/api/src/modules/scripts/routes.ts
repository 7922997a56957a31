import { IdParams } from '@outpost/protocol/rest/common';
import {
  CreateScriptBody,
  Script,
  ScriptCheckBody,
  ScriptCheckResult,
  ScriptList,
  UpdateScriptBody,
} from '@outpost/protocol/rest/scripts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  checkScriptSource,
  createScript,
  deleteScript,
  getScript,
  listScripts,
  toScriptView,
  updateScript,
} from './service.ts';

const tags = ['Scripts'];

export async function scriptRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/scripts',
    {
      schema: {
        tags,
        summary: 'List the scripts of this environment, by name',
        response: { 200: ScriptList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listScripts(app.db, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/scripts',
    {
      schema: {
        tags,
        summary:
          'Create a script (`function transform(record)` or `function filter(record)`); one that does not compile is refused, 422 script_invalid naming the line',
        body: CreateScriptBody,
        response: { 201: Script },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(toScriptView(await createScript(app.db, request.context, request.body, request))),
  );

  router.post(
    '/v1/scripts/check',
    {
      schema: {
        tags,
        summary: 'Check a script without saving it: 200 with ok true, or ok false and the line',
        body: ScriptCheckBody,
        response: { 200: ScriptCheckResult },
      },
      config: { access: 'manage' },
    },
    async (request) => checkScriptSource(request.body.source, request.body.kind),
  );

  router.get(
    '/v1/scripts/:id',
    {
      schema: { tags, summary: 'One script, with its source', params: IdParams, response: { 200: Script } },
      config: { access: 'read' },
    },
    async (request) =>
      toScriptView(await getScript(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/scripts/:id',
    {
      schema: {
        tags,
        summary: 'Change a script; a new source or kind is checked as at create',
        params: IdParams,
        body: UpdateScriptBody,
        response: { 200: Script },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      toScriptView(await updateScript(app.db, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/scripts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a script; one that flows use is kept (409 in_use, naming them)',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteScript(app.db, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );
}
