import { z } from 'zod';
import { Environment } from './accounts.ts';
import { listOf } from './common.ts';

export { Environment };

export const EnvironmentList = listOf(Environment);
export type EnvironmentList = z.infer<typeof EnvironmentList>;

/** Slugs that name the web app's own top-level routes, so an environment URL can never shadow them. */
export const RESERVED_ENVIRONMENT_SLUGS = [
  'api',
  'sign-in',
  'sign-up',
  'docs',
  'healthz',
  'readyz',
  'metrics',
];

export const EnvironmentSlug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'Use 1–40 lower-case letters, digits and dashes')
  .refine((slug) => !RESERVED_ENVIRONMENT_SLUGS.includes(slug), 'This name is reserved; pick another');

export const CreateEnvironmentBody = z.object({
  name: z.string().trim().min(1, 'Name is required').max(60),
  slug: EnvironmentSlug,
});
export type CreateEnvironmentBody = z.infer<typeof CreateEnvironmentBody>;

/** At most this many environments per multi-environment account. */
export const MAX_ENVIRONMENTS = 100;

/** The header that says which environment a cookie request acts in. */
export const ENVIRONMENT_HEADER = 'x-outpost-environment';
