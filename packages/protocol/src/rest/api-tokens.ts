import { z } from 'zod';
import { Role } from '../roles.ts';
import { ResourceName } from './common.ts';

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

export const CreateApiTokenBody = z.object({
  name: ResourceName,
  /** OWNER is a person's role, never a program's. */
  role: Role.exclude(['OWNER']).default('MANAGE'),
});
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;

/** Creation answers with the token once, beside the resource. */
export const CreatedApiToken = ApiToken.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;
