import type { Prisma } from '@outpost/db/client';
import { digestToken, generateToken, tokenLast4 } from '@outpost/protocol/tokens';
import type { SecretBox } from '../../lib/secret-box.ts';
import { sealedToken } from '../agents/service.ts';
import type { CopyIds } from './describe.ts';
import { runsOnSchedule, type SharedScope } from './source.ts';

type Tx = Prisma.TransactionClient;

/** The steps of a migration, in order; a test-only hook may fail the migration after any of them. */
export const MIGRATION_STEPS = [
  'scope',
  'agents',
  'api_tokens',
  'connections',
  'scripts',
  'exports',
  'imports',
  'flows',
  'license',
  'report',
] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

export interface CopyTarget {
  tx: Tx;
  secrets: SecretBox;
  source: SharedScope;
  /** The legacy scope, which stays Production's. */
  sharedScopeId: string;
  /** The new Sandbox scope. */
  scopeId: string;
  sandboxEnvironmentId: string;
  productionEnvironmentId: string;
  /** Called after each step (tests fail the migration half-way with it). */
  after: (step: MigrationStep) => void;
}

const json = (value: Prisma.JsonValue) => value as Prisma.InputJsonValue;

/** The id of the copy of `id`; a reference the copies do not have cannot happen within one scope. */
function copyOf(copies: CopyIds, id: string): string {
  const copy = copies.get(id);
  if (!copy) throw new Error(`The migration has no Sandbox copy of ${id}`);
  return copy;
}

/**
 * Copies the shared scope's resources into the Sandbox scope, in the order their references need
 * (agents before the connections that run on them, and so on), every reference remapped to a copy.
 * Agents and API tokens get new tokens; nothing in Production changes except that API tokens bound
 * to Sandbox are bound to Production, whose scope they belong to.
 */
export async function copyResources(target: CopyTarget): Promise<CopyIds> {
  const { tx, source, scopeId, after } = target;
  const copies: CopyIds = new Map();

  for (const agent of source.agents) {
    const copy = await tx.agent.create({
      data: {
        scopeId,
        name: agent.name,
        description: agent.description,
        autoUpgrade: agent.autoUpgrade,
        ...sealedToken(target.secrets).fields,
      },
      select: { id: true },
    });
    copies.set(agent.id, copy.id);
  }
  after('agents');

  await tx.apiToken.updateMany({
    where: { scopeId: target.sharedScopeId, environmentId: target.sandboxEnvironmentId },
    data: { environmentId: target.productionEnvironmentId },
  });
  for (const apiToken of source.apiTokens) {
    const token = generateToken('apiToken');
    const copy = await tx.apiToken.create({
      data: {
        scopeId,
        environmentId: target.sandboxEnvironmentId,
        name: apiToken.name,
        role: apiToken.role,
        tokenDigest: digestToken(token),
        tokenCiphertext: target.secrets.seal(token),
        tokenLast4: tokenLast4(token),
        createdById: apiToken.createdById,
      },
      select: { id: true },
    });
    copies.set(apiToken.id, copy.id);
  }
  after('api_tokens');

  for (const connection of source.connections) {
    const copy = await tx.connection.create({
      data: {
        scopeId,
        name: connection.name,
        type: connection.type,
        mode: connection.mode,
        agentId: connection.agentId ? copyOf(copies, connection.agentId) : null,
        settings: json(connection.settings),
        // The same secrets; OAuth tokens stay with Production (a refresh token is not shared).
        secretsCiphertext: connection.secretsCiphertext,
      },
      select: { id: true },
    });
    copies.set(connection.id, copy.id);
  }
  after('connections');

  for (const script of source.scripts) {
    const copy = await tx.script.create({
      data: {
        scopeId,
        name: script.name,
        description: script.description,
        kind: script.kind,
        source: script.source,
      },
      select: { id: true },
    });
    copies.set(script.id, copy.id);
  }
  after('scripts');

  for (const item of source.exports) {
    const copy = await tx.export.create({
      data: {
        scopeId,
        name: item.name,
        description: item.description,
        connectionId: copyOf(copies, item.connectionId),
        settings: json(item.settings),
        // No lastValue: the Sandbox copy reads from the beginning.
      },
      select: { id: true },
    });
    copies.set(item.id, copy.id);
  }
  after('exports');

  for (const item of source.imports) {
    const copy = await tx.import.create({
      data: {
        scopeId,
        name: item.name,
        description: item.description,
        connectionId: copyOf(copies, item.connectionId),
        settings: json(item.settings),
      },
      select: { id: true },
    });
    copies.set(item.id, copy.id);
  }
  after('imports');

  for (const flow of source.flows) {
    const copy = await tx.flow.create({
      data: {
        scopeId,
        name: flow.name,
        description: flow.description,
        enabled: runsOnSchedule(flow) ? false : flow.enabled,
        schedule: flow.schedule,
        timezone: flow.timezone,
        nextRunAt: null,
        pageSize: flow.pageSize,
        exportId: copyOf(copies, flow.exportId),
        scripts: {
          create: flow.scripts.map(({ position, scriptId }) => ({
            position,
            scriptId: copyOf(copies, scriptId),
          })),
        },
        imports: {
          create: flow.imports.map(({ position, importId }) => ({
            position,
            importId: copyOf(copies, importId),
          })),
        },
      },
      select: { id: true },
    });
    copies.set(flow.id, copy.id);
  }
  after('flows');

  return copies;
}
