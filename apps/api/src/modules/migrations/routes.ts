import { IdParams } from '@outpost/protocol/rest/common';
import { MigrationList, MigrationPreview, MigrationReport } from '@outpost/protocol/rest/migrations';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getMigration, listMigrations, migrateAccount, previewMigration } from './service.ts';

const tags = ['Account migration'];

/** Legacy Production/Sandbox → multi-environment: the preview, the migration and its kept report. */
export async function migrationRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/account/migrations/preview',
    {
      schema: {
        tags,
        summary:
          'What migrating to multiple environments would do: every resource, kept in Production and copied to Sandbox, with the actions left (409 already_migrated for a multi-environment account)',
        response: { 200: MigrationPreview },
      },
      config: { access: 'owner' },
    },
    async (request) => previewMigration(app.db, request.context.account.id),
  );

  router.post(
    '/v1/account/migrations',
    {
      schema: {
        tags,
        summary:
          'Migrate the account from legacy Production/Sandbox to multiple environments, in one transaction; answers the report (409 already_migrated on a second run)',
        response: { 201: MigrationReport },
      },
      config: { access: 'owner' },
    },
    async (request, reply) => {
      const { account, actor } = request.context;
      const report = await migrateAccount(
        { db: app.db, secrets: app.secrets, events: app.agentEvents },
        { accountId: account.id, actor, request },
      );
      return reply.status(201).send(report);
    },
  );

  router.get(
    '/v1/account/migrations',
    {
      schema: {
        tags,
        summary: "The account's migration, if it ran (at most one)",
        response: { 200: MigrationList },
      },
      config: { access: 'admin' },
    },
    async (request) => ({ items: await listMigrations(app.db, request.context.account.id) }),
  );

  router.get(
    '/v1/account/migrations/:id',
    {
      schema: {
        tags,
        summary:
          'The kept migration report: every resource with its outcome and the action left (never a token)',
        params: IdParams,
        response: { 200: MigrationReport },
      },
      config: { access: 'admin' },
    },
    async (request) => getMigration(app.db, request.context.account.id, request.params.id),
  );
}
