import { IdParams } from '@outpost/protocol/rest/common';
import { CreateExportBody, Export, ExportList, UpdateExportBody } from '@outpost/protocol/rest/exports';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createExport, deleteExport, getExport, listExports, toExportView, updateExport } from './service.ts';

const tags = ['Exports'];

export async function exportRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/exports',
    {
      schema: {
        tags,
        summary: 'List the exports of this environment, by name',
        response: { 200: ExportList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listExports(app.db, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/exports',
    {
      schema: {
        tags,
        summary:
          'Create an export: a connection of this environment and what to read, `http` settings for an HTTP connection or `sql` for a database (422 invalid_settings otherwise)',
        body: CreateExportBody,
        response: { 201: Export },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(toExportView(await createExport(app.db, request.context, request.body, request))),
  );

  router.get(
    '/v1/exports/:id',
    {
      schema: { tags, summary: 'One export', params: IdParams, response: { 200: Export } },
      config: { access: 'read' },
    },
    async (request) =>
      toExportView(await getExport(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/exports/:id',
    {
      schema: {
        tags,
        summary:
          'Change an export; settings are replaced whole. A new connection, query or key column forgets the last value, as does `lastValue: null`',
        params: IdParams,
        body: UpdateExportBody,
        response: { 200: Export },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      toExportView(await updateExport(app.db, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/exports/:id',
    {
      schema: {
        tags,
        summary: 'Delete an export; one that flows use is kept (409 in_use, naming them)',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteExport(app.db, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );
}
