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

/** Rename: only the name changes; the slug stays, so links and API clients keep working. */
export const UpdateEnvironmentBody = z.object({
  name: z.string().trim().min(1, 'Name is required').max(60),
});
export type UpdateEnvironmentBody = z.infer<typeof UpdateEnvironmentBody>;

/** `cascade=true` deletes the environment's resources with it; without it, only an empty one goes. */
export const DeleteEnvironmentQuery = z.object({
  cascade: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export type DeleteEnvironmentQuery = z.infer<typeof DeleteEnvironmentQuery>;

/** The resource types an environment holds, as counted against its limits. */
export const ENVIRONMENT_RESOURCE_TYPES = [
  'agents',
  'apiTokens',
  'connections',
  'exports',
  'imports',
  'scripts',
  'flows',
] as const;
export type EnvironmentResourceType = (typeof ENVIRONMENT_RESOURCE_TYPES)[number];

const PerType = z.object(
  Object.fromEntries(ENVIRONMENT_RESOURCE_TYPES.map((type) => [type, z.number().int()])) as Record<
    EnvironmentResourceType,
    z.ZodNumber
  >,
);

/** An environment's resources counted against its limits (legacy Production and Sandbox count one shared scope). */
export const EnvironmentUsage = z.object({
  environment: Environment,
  counts: PerType,
  limits: PerType,
  /** Flow runs queued or running: a cascade delete waits for them. */
  activeRuns: z.number().int(),
});
export type EnvironmentUsage = z.infer<typeof EnvironmentUsage>;

export const EnvironmentUsageList = listOf(EnvironmentUsage);
export type EnvironmentUsageList = z.infer<typeof EnvironmentUsageList>;
