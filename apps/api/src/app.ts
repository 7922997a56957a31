import { randomUUID } from 'node:crypto';
import path from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { type Database, databasePool } from '@outpost/db/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import type { SecretBox } from './lib/secret-box.ts';
import { loggerOptions } from './logger.ts';
import { Metrics } from './metrics.ts';
import { agentBundleRoutes } from './modules/agents/bundle-route.ts';
import { AgentDownloads } from './modules/agents/downloads.ts';
import { AgentEvents } from './modules/agents/events.ts';
import { agentRoutes } from './modules/agents/routes.ts';
import { apiTokenRoutes } from './modules/api-tokens/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { connectionRoutes } from './modules/connections/routes.ts';
import { environmentRoutes } from './modules/environments/routes.ts';
import { exportRoutes } from './modules/exports/routes.ts';
import { FlowRunner } from './modules/flow-runner/runner.ts';
import { flowRoutes } from './modules/flows/routes.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { AgentHub } from './modules/hub/hub.ts';
import { hubRoutes } from './modules/hub/routes.ts';
import { importRoutes } from './modules/imports/routes.ts';
import { memberRoutes } from './modules/members/routes.ts';
import { migrationRoutes } from './modules/migrations/routes.ts';
import { runRoutes } from './modules/runs/routes.ts';
import { scriptRoutes } from './modules/scripts/routes.ts';
import { accessPlugin } from './plugins/access.ts';
import { errorHandlerPlugin, sendError } from './plugins/error-handler.ts';
import { nulGuardPlugin } from './plugins/nul-guard.ts';
import { openApiPlugin } from './plugins/openapi.ts';
import { ScaleOut } from './scale/scale-out.ts';
import { SERVER_TIMEOUTS, type ServerTimeouts } from './server-timeouts.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    secrets: SecretBox;
    agentEvents: AgentEvents;
    agentDownloads: AgentDownloads;
    hub: AgentHub;
    /** Set with REDIS_URL: what the instances share (presence, routing, events, limits). */
    scale: ScaleOut | undefined;
    metrics: Metrics;
    flowRunner: FlowRunner;
  }
}

export interface AppDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  /** The built agent (apps/agent/dist): what Install → Download packs. */
  agentDistDir: string;
  /** Where log lines go (default: stdout). */
  logStream?: NodeJS.WritableStream;
  /** Tests shorten them to watch slow clients being cut. */
  serverTimeouts?: Partial<ServerTimeouts>;
}

/** Builds the API without listening; `server.ts` listens, tests use `inject`. */
export async function buildApp({
  config,
  db,
  secrets,
  agentDistDir,
  logStream,
  serverTimeouts,
}: AppDependencies): Promise<FastifyInstance> {
  const timeouts = { ...SERVER_TIMEOUTS, ...serverTimeouts };
  const app = Fastify({
    logger: loggerOptions(config, logStream),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : randomUUID();
    },
    // Only addresses set by the configured number of proxies in front of the API are trusted.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    bodyLimit: 1024 * 1024,
    connectionTimeout: timeouts.connectionMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
      maxHeaderSize: timeouts.maxHeaderBytes,
    },
    return503OnClosing: true,
    // A URL that cannot be routed (bad percent-encoding, an over-long parameter) answers in the
    // API's error shape too.
    frameworkErrors: sendError,
  });
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('secrets', secrets);
  const metrics = new Metrics({
    connectedAgents: () => app.hub.connectedAgents,
    databasePool: () => {
      const pool = databasePool(db);
      return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
  });
  app.decorate('metrics', metrics);
  const scale = config.redisUrl
    ? new ScaleOut(config.redisUrl, {
        config,
        secrets,
        db,
        log: app.log,
        onRouted: () => metrics.requestsRouted.inc({ direction: 'out' }),
      })
    : undefined;
  app.decorate('scale', scale);
  const agentEvents = scale?.events ?? new AgentEvents();
  const agentDownloads = new AgentDownloads(
    agentDistDir,
    path.join(config.dataDir, 'downloads'),
    config.publicUrl,
  );
  app.decorate('agentEvents', agentEvents);
  app.decorate('agentDownloads', agentDownloads);
  app.decorate(
    'hub',
    new AgentHub({
      db,
      events: agentEvents,
      log: app.log,
      heartbeatMs: config.agentHeartbeatMs,
      handshakeTimeoutMs: 10_000,
      latestAgent: () => agentDownloads.manifest(),
      ...(scale ? { scale } : {}),
      metrics,
    }),
  );
  if (scale) {
    app.addHook('onListen', async () => {
      const address = app.server.address();
      scale.start(typeof address === 'object' && address ? address.port : config.port, {
        healthyAgents: () => app.hub.healthyAgents(),
        onPresenceLost: (agentIds) => app.hub.reconnect(agentIds, 'presence lost; reconnect'),
        onEventsResumed: () => {
          app.hub
            .recheckTokens()
            .catch((error: unknown) => app.log.warn({ err: error }, 'could not recheck agent tokens'));
        },
      });
    });
    app.addHook('onClose', async () => scale.close());
  }
  const flowRunner = new FlowRunner({
    db,
    log: app.log,
    connections: { db, secrets, hub: app.hub, privateTargets: config.privateTargets },
    concurrency: config.flowConcurrency,
    metrics: {
      runEnded: (status) => metrics.flowRuns.inc({ status }),
      running: (count) => metrics.flowRunsRunning.set(count),
    },
  });
  app.decorate('flowRunner', flowRunner);
  app.addHook('onReady', async () => flowRunner.start());
  app.addHook('onClose', async () => flowRunner.stop());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandlerPlugin);
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    ...(scale ? { redis: scale.redis, nameSpace: scale.keys.rateLimit } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many attempts; try again in ${context.after}`),
  });
  await app.register(openApiPlugin);
  await app.register(accessPlugin);
  await app.register(nulGuardPlugin);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(environmentRoutes);
  await app.register(migrationRoutes);
  await app.register(memberRoutes);
  await app.register(apiTokenRoutes);
  await app.register(auditRoutes);
  await app.register(agentRoutes);
  await app.register(hubRoutes);
  await app.register(agentBundleRoutes, { agentDistDir });
  await app.register(connectionRoutes);
  await app.register(exportRoutes);
  await app.register(importRoutes);
  await app.register(scriptRoutes);
  await app.register(flowRoutes);
  await app.register(runRoutes);
  return app;
}
