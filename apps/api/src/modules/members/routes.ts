import { IdParams } from '@outpost/protocol/rest/common';
import { AddMemberBody, Member, MemberList, UpdateMemberBody } from '@outpost/protocol/rest/members';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addMember, changeMemberRole, listMembers, type MemberChangeBy, removeMember } from './service.ts';

const tags = ['Members'];

function changeBy(request: FastifyRequest): MemberChangeBy {
  const { account, actor, role } = request.context;
  return { accountId: account.id, actor, actorRole: role, request };
}

export async function memberRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/members',
    {
      schema: { tags, summary: "The account's members, oldest first", response: { 200: MemberList } },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listMembers(app.db, request.context.account.id) }),
  );

  router.post(
    '/v1/members',
    {
      schema: {
        tags,
        summary: 'Add a member by e-mail; someone without a user yet is invited and joins on sign-up',
        body: AddMemberBody,
        response: { 201: Member },
      },
      config: { access: 'admin' },
    },
    async (request, reply) =>
      reply.status(201).send(await addMember(app.db, changeBy(request), request.body)),
  );

  router.patch(
    '/v1/members/:id',
    {
      schema: {
        tags,
        summary: "Change a member's role (only an owner grants or changes OWNER; the last owner stays)",
        params: IdParams,
        body: UpdateMemberBody,
        response: { 200: Member },
      },
      config: { access: 'admin' },
    },
    async (request) => changeMemberRole(app.db, changeBy(request), request.params.id, request.body.role),
  );

  router.delete(
    '/v1/members/:id',
    {
      schema: {
        tags,
        summary: 'Remove a member and end their sessions in this account (never the last owner)',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      await removeMember(app.db, changeBy(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
