import { z } from 'zod';
import { Role } from '../roles.ts';
import { listOf, ResourceName } from './common.ts';

/** OWNER is a person's role, never a program's. */
export const ApiTokenRole = Role.exclude(['OWNER']);
export type ApiTokenRole = z.infer<typeof ApiTokenRole>;

export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  role: Role,
  environment: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  tokenLast4: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const ApiTokenList = listOf(ApiToken);
export type ApiTokenList = z.infer<typeof ApiTokenList>;

export const CreateApiTokenBody = z.object({
  name: ResourceName,
  role: ApiTokenRole.default('MANAGE'),
});
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;

/** Rename a token or change its role; its environment and the token itself stay. */
export const UpdateApiTokenBody = z.object({
  name: ResourceName.optional(),
  role: ApiTokenRole.optional(),
});
export type UpdateApiTokenBody = z.infer<typeof UpdateApiTokenBody>;

/** Creation answers with the token once, beside the resource. */
export const CreatedApiToken = ApiToken.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;
