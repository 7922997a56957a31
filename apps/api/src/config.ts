import path from 'node:path';
import { z } from 'zod';
import { assertNetwork } from './lib/ssrf/addresses.ts';
import type { PrivateTargets } from './lib/ssrf/guard.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** Every setting the API reads. Nothing else in the API reads `process.env`. */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  OUTPOST_DATA_DIR: optionalString.transform((value) => value ?? './data'),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  /** Prefix of every Redis key and channel of this deployment (several may share one Redis). */
  OUTPOST_REDIS_PREFIX: optionalString.pipe(
    z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'letters, digits and _ : . - only')
      .optional(),
  ),
  /** Where the other API instances reach this one (scale-out); default http://<host name>:<PORT>. */
  OUTPOST_INTERNAL_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** On SIGTERM: how long requests in flight may take to finish before the process exits. */
  OUTPOST_DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** When set, GET /metrics asks for `Authorization: Bearer <this>`. */
  OUTPOST_METRICS_TOKEN: optionalString,
  OUTPOST_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** 32 bytes, base64 or hex. Unset: generated once into the data directory. */
  OUTPOST_SECRET_KEY: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Database connections per API process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Sign-up and log-in attempts allowed per minute, per client address (log-in: per address and
   * e-mail); 3× this many refused API tokens per address a minute and failed log-ins per e-mail per
   * 15 minutes (modules/auth/failures.ts).
   */
  OUTPOST_AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** How often the hub pings each agent; a dead peer is noticed within about three intervals. */
  OUTPOST_AGENT_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  /** Flow runs one API instance runs at once. */
  OUTPOST_FLOW_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * Cloud connections to private, loopback and link-local addresses: `false` (refused), `true`
   * (allowed, but never cloud metadata; for self-hosted installs), or a comma-separated list of
   * addresses and CIDRs allowed.
   */
  OUTPOST_ALLOW_PRIVATE_TARGETS: optionalString.transform((value, context): PrivateTargets => {
    const text = (value ?? 'false').trim().toLowerCase();
    if (text === 'false' || text === '0' || text === 'no') return { allow: 'none' };
    if (text === 'true' || text === '1' || text === 'yes') return { allow: 'all' };
    const networks = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const network of networks) {
      try {
        assertNetwork(network);
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: `${(error as Error).message}; use true, false or CIDRs`,
        });
        return z.NEVER;
      }
    }
    return { allow: 'networks', networks };
  }),
  /** Trust X-Forwarded-* from this many proxies in front of the API (0: none). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
});

export type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of the Redis keys and channels, ending in `:`. */
  redisPrefix: string;
  /** Where other instances reach this one; undefined: http://<host name>:<listening port>. */
  internalUrl: string | undefined;
  drainGraceMs: number;
  metricsToken: string | undefined;
  publicUrl: string;
  secretKey: string | undefined;
  logLevel: RawConfig['LOG_LEVEL'];
  databasePoolSize: number;
  trustProxyHops: number;
  authRateLimit: number;
  agentHeartbeatMs: number;
  flowConcurrency: number;
  /** What Cloud connections may reach besides the public internet. */
  privateTargets: PrivateTargets;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; a bad value names the variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const raw = parsed.data;
  return {
    port: raw.PORT,
    host: raw.HOST,
    dataDir: path.resolve(raw.OUTPOST_DATA_DIR),
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    redisPrefix: (raw.OUTPOST_REDIS_PREFIX ?? 'outpost').replace(/:?$/, ':'),
    internalUrl: raw.OUTPOST_INTERNAL_URL?.replace(/\/+$/, ''),
    drainGraceMs: raw.OUTPOST_DRAIN_GRACE_MS,
    metricsToken: raw.OUTPOST_METRICS_TOKEN,
    publicUrl: (raw.OUTPOST_PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    secretKey: raw.OUTPOST_SECRET_KEY,
    logLevel: raw.LOG_LEVEL,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    trustProxyHops: raw.TRUST_PROXY_HOPS,
    authRateLimit: raw.OUTPOST_AUTH_RATE_LIMIT,
    agentHeartbeatMs: raw.OUTPOST_AGENT_HEARTBEAT_MS,
    flowConcurrency: raw.OUTPOST_FLOW_CONCURRENCY,
    privateTargets: raw.OUTPOST_ALLOW_PRIVATE_TARGETS,
  };
}
