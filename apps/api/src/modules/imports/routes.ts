import { IdParams } from '@outpost/protocol/rest/common';
import { CreateImportBody, Import, ImportList, UpdateImportBody } from '@outpost/protocol/rest/imports';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createImport, deleteImport, getImport, listImports, toImportView, updateImport } from './service.ts';

const tags = ['Imports'];

export async function importRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/imports',
    {
      schema: {
        tags,
        summary: 'List the imports of this environment, by name',
        response: { 200: ImportList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listImports(app.db, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/imports',
    {
      schema: {
        tags,
        summary:
          'Create an import: a connection of this environment and how to write, `http` settings for an HTTP connection or `sql` for a database (422 invalid_settings otherwise)',
        body: CreateImportBody,
        response: { 201: Import },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(toImportView(await createImport(app.db, request.context, request.body, request))),
  );

  router.get(
    '/v1/imports/:id',
    {
      schema: { tags, summary: 'One import', params: IdParams, response: { 200: Import } },
      config: { access: 'read' },
    },
    async (request) =>
      toImportView(await getImport(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/imports/:id',
    {
      schema: {
        tags,
        summary:
          'Change an import; settings are replaced whole (a connection of another kind needs settings of its kind)',
        params: IdParams,
        body: UpdateImportBody,
        response: { 200: Import },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      toImportView(await updateImport(app.db, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/imports/:id',
    {
      schema: {
        tags,
        summary: 'Delete an import; one that flows use is kept (409 in_use, naming them)',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteImport(app.db, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );
}
