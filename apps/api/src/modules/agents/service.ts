import type { Agent as AgentRow, Database } from '@outpost/db/client';
import type {
  AgentListQuery,
  AgentPage,
  AgentStatus,
  Agent as AgentView,
  CreateAgentBody,
  UpdateAgentBody,
} from '@outpost/protocol/rest/agents';
import { digestToken, generateToken, isWellFormedToken, tokenLast4 } from '@outpost/protocol/tokens';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../context.ts';
import { conflict, notFound } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { digestsMatch } from '../../lib/token-digest.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import type { AgentEvents } from './events.ts';

/** What the agent use cases need besides the request. */
export interface AgentDeps {
  db: Database;
  secrets: SecretBox;
  events: AgentEvents;
}

type Caller = Pick<RequestContext, 'actor' | 'account' | 'environment'>;

export function agentStatus(agent: Pick<AgentRow, 'sessionId' | 'connectedAt'>): AgentStatus {
  if (agent.sessionId) return 'online';
  return agent.connectedAt ? 'offline' : 'awaiting_setup';
}

export function toAgentView(agent: AgentRow): AgentView {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    status: agentStatus(agent),
    version: agent.version,
    hostname: agent.hostname,
    os: agent.os,
    arch: agent.arch,
    ipAddress: agent.ipAddress,
    connectedAt: agent.connectedAt?.toISOString() ?? null,
    lastSeenAt: agent.lastSeenAt?.toISOString() ?? null,
    tokenLast4: agent.tokenLast4,
    autoUpgrade: agent.autoUpgrade,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}

/** A new agent token and the fields that store it (digest, ciphertext, last four). */
export function sealedToken(secrets: SecretBox) {
  const token = generateToken('agent');
  return {
    token,
    fields: {
      tokenDigest: digestToken(token),
      tokenCiphertext: secrets.seal(token),
      tokenLast4: tokenLast4(token),
      tokenCreatedAt: new Date(),
    },
  };
}

/** The agents of a scope by name, a page at a time (the cursor is the last name seen). */
export async function listAgents(db: Database, scopeId: string, query: AgentListQuery): Promise<AgentPage> {
  const search = query.search
    ? {
        OR: (['name', 'description', 'hostname'] as const).map((field) => ({
          [field]: { contains: query.search, mode: 'insensitive' as const },
        })),
      }
    : {};
  const after = query.cursor ? { name: { gt: Buffer.from(query.cursor, 'base64url').toString('utf8') } } : {};
  const [rows, total] = await Promise.all([
    db.agent.findMany({
      where: { scopeId, ...search, ...after },
      orderBy: { name: 'asc' },
      take: query.limit + 1,
    }),
    db.agent.count({ where: { scopeId, ...search } }),
  ]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAgentView),
    nextCursor:
      rows.length > query.limit && last ? Buffer.from(last.name, 'utf8').toString('base64url') : null,
    total,
  };
}

export async function getAgent(db: Database, scopeId: string, agentId: string): Promise<AgentRow> {
  const agent = await db.agent.findFirst({ where: { id: agentId, scopeId } });
  if (!agent) throw notFound('Agent');
  return agent;
}

async function assertNameFree(db: Database, scopeId: string, name: string, exceptId?: string) {
  const clash = await db.agent.findFirst({
    where: { scopeId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw conflict(`An agent named "${name}" already exists in this environment`);
}

/** Creates an agent with its first token (shown later with Show token). */
export async function createAgent(
  deps: AgentDeps,
  caller: Caller,
  body: CreateAgentBody,
  request: FastifyRequest,
): Promise<AgentRow> {
  const scopeId = caller.environment.scopeId;
  await assertNameFree(deps.db, scopeId, body.name);
  const agent = await deps.db.$transaction(async (tx) => {
    await ensureBelowLimit(tx, scopeId, 'agents');
    const created = await tx.agent.create({
      data: { scopeId, name: body.name, description: body.description, ...sealedToken(deps.secrets).fields },
    });
    await recordAuditEvent(tx, audit(caller, 'agent.created', created.id, request, { name: created.name }));
    return created;
  });
  deps.events.publishChange({ type: 'changed', scopeId, agentId: agent.id });
  return agent;
}

export async function updateAgent(
  deps: AgentDeps,
  caller: Caller,
  agentId: string,
  body: UpdateAgentBody,
  request: FastifyRequest,
): Promise<AgentRow> {
  const scopeId = caller.environment.scopeId;
  const before = await getAgent(deps.db, scopeId, agentId);
  if (body.name !== undefined && body.name !== before.name)
    await assertNameFree(deps.db, scopeId, body.name, agentId);
  const agent = await deps.db.$transaction(async (tx) => {
    const updated = await tx.agent.update({ where: { id: before.id }, data: body });
    await recordAuditEvent(
      tx,
      audit(caller, 'agent.updated', agentId, request, { changed: Object.keys(body) }),
    );
    return updated;
  });
  deps.events.publishChange({ type: 'changed', scopeId, agentId });
  return agent;
}

/**
 * Deletes the agent; its token goes with the row, and its live session is closed. An agent that
 * On-premise connections use is kept (409, naming them): they would have nowhere to run.
 */
export async function deleteAgent(
  deps: AgentDeps,
  caller: Caller,
  agentId: string,
  request: FastifyRequest,
): Promise<void> {
  const scopeId = caller.environment.scopeId;
  const agent = await getAgent(deps.db, scopeId, agentId);
  const inUse = () => {
    const names = users.map((connection) => `"${connection.name}"`).join(', ');
    return conflict(
      `The agent "${agent.name}" is used by ${users.length === 1 ? 'the connection' : 'the connections'} ${names}: give them another agent or Mode: Cloud first`,
    );
  };
  let users = await deps.db.connection.findMany({
    where: { agentId },
    select: { name: true },
    orderBy: { name: 'asc' },
  });
  if (users.length > 0) throw inUse();
  try {
    await deps.db.$transaction(async (tx) => {
      await tx.agent.delete({ where: { id: agent.id } });
      await recordAuditEvent(tx, audit(caller, 'agent.deleted', agentId, request, { name: agent.name }));
    });
  } catch (error) {
    // A connection that picked the agent meanwhile: the foreign key refused the delete.
    users = await deps.db.connection.findMany({
      where: { agentId },
      select: { name: true },
      orderBy: { name: 'asc' },
    });
    if (users.length > 0) throw inUse();
    throw error;
  }
  deps.events.publishRevocation({ agentId, reason: 'agent_deleted' });
  deps.events.publishChange({ type: 'deleted', scopeId, agentId });
}

/** Show token: decrypts the stored token; audited. */
export async function showAgentToken(
  deps: AgentDeps,
  caller: Caller,
  agentId: string,
  request: FastifyRequest,
): Promise<string> {
  const agent = await getAgent(deps.db, caller.environment.scopeId, agentId);
  await recordAuditEvent(
    deps.db,
    audit(caller, 'agent.token_shown', agentId, request, { tokenLast4: agent.tokenLast4 }),
  );
  return deps.secrets.open(agent.tokenCiphertext);
}

/**
 * Generate token: replaces digest and ciphertext in one statement, so the old token fails from
 * that moment, and tells the hub to close any session that used it.
 */
export async function generateAgentToken(
  deps: AgentDeps,
  caller: Caller,
  agentId: string,
  request: FastifyRequest,
): Promise<string> {
  const scopeId = caller.environment.scopeId;
  const { token, fields } = sealedToken(deps.secrets);
  await deps.db.$transaction(async (tx) => {
    const { count } = await tx.agent.updateMany({ where: { id: agentId, scopeId }, data: fields });
    if (count === 0) throw notFound('Agent');
    await recordAuditEvent(
      tx,
      audit(caller, 'agent.token_generated', agentId, request, { tokenLast4: fields.tokenLast4 }),
    );
  });
  deps.events.publishRevocation({ agentId, reason: 'token_revoked' });
  deps.events.publishChange({ type: 'changed', scopeId, agentId });
  return token;
}

/**
 * The agent a presented token belongs to: format and checksum first (garbage never reaches the
 * database), then the digest look-up, then a constant-time comparison.
 */
export async function verifyAgentToken(db: Database, token: string): Promise<AgentRow | null> {
  if (!isWellFormedToken(token, 'agent')) return null;
  const digest = digestToken(token);
  const agent = await db.agent.findUnique({ where: { tokenDigest: digest } });
  return agent && digestsMatch(agent.tokenDigest, digest) ? agent : null;
}

function audit(
  caller: Caller,
  action: `agent.${string}`,
  agentId: string,
  request: FastifyRequest,
  metadata: Record<string, string | string[]>,
) {
  return {
    accountId: caller.account.id,
    environmentId: caller.environment.id,
    action: action as `agent.${'created' | 'updated' | 'deleted' | 'token_shown' | 'token_generated'}`,
    actor: caller.actor,
    target: { type: 'agent', id: agentId },
    metadata,
    request,
  };
}
