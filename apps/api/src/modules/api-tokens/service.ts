import type { Database, Prisma } from '@outpost/db/client';
import type { ApiToken, CreateApiTokenBody, UpdateApiTokenBody } from '@outpost/protocol/rest/api-tokens';
import { digestToken, generateToken, tokenLast4 } from '@outpost/protocol/tokens';
import type { Actor, RequestEnvironment } from '../../context.ts';
import { conflict, notFound } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { digestsMatch } from '../../lib/token-digest.ts';
import { type AuditEventInput, recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';

type Tx = Prisma.TransactionClient;

/** `lastUsedAt` is written at most this often per token. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/** The API token behind a presented (well-formed) token, with its account and environment. */
export async function findApiTokenByToken(db: Database, token: string) {
  const digest = digestToken(token);
  const apiToken = await db.apiToken.findUnique({
    where: { tokenDigest: digest },
    include: {
      environment: { select: { id: true, slug: true, name: true, scopeId: true } },
      scope: { select: { account: { select: { id: true, license: true } } } },
    },
  });
  if (!apiToken || !digestsMatch(apiToken.tokenDigest, digest)) return null;
  return {
    id: apiToken.id,
    name: apiToken.name,
    role: apiToken.role,
    lastUsedAt: apiToken.lastUsedAt,
    environment: apiToken.environment,
    account: apiToken.scope.account,
  };
}

export async function touchApiToken(db: Database, id: string, lastUsedAt: Date | null): Promise<void> {
  if (lastUsedAt && Date.now() - lastUsedAt.getTime() < TOUCH_INTERVAL_MS) return;
  // A use is not a change: SQL rather than Prisma's update, which would also bump `updatedAt`.
  await db.$executeRaw`UPDATE "ApiToken" SET "lastUsedAt" = now() WHERE id = ${id}::uuid`;
}

const apiTokenSelect = {
  id: true,
  name: true,
  role: true,
  tokenLast4: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
  environment: { select: { id: true, slug: true, name: true } },
} as const;

type ApiTokenRow = Prisma.ApiTokenGetPayload<{ select: typeof apiTokenSelect }>;

function toApiToken(apiToken: ApiTokenRow): ApiToken {
  return {
    id: apiToken.id,
    name: apiToken.name,
    role: apiToken.role,
    environment: apiToken.environment,
    tokenLast4: apiToken.tokenLast4,
    createdAt: apiToken.createdAt.toISOString(),
    updatedAt: apiToken.updatedAt.toISOString(),
    lastUsedAt: apiToken.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * Who acts on API tokens, and where. Every look-up filters by the scope of the request's
 * environment: in a legacy account Production and Sandbox share it, so they share their tokens.
 */
export interface ApiTokenChangeBy {
  accountId: string;
  actor: Actor;
  environment: RequestEnvironment;
  request: AuditEventInput['request'];
}

function audit(
  tx: Tx,
  by: ApiTokenChangeBy,
  action: AuditEventInput['action'],
  apiTokenId: string,
  metadata = {},
) {
  return recordAuditEvent(tx, {
    accountId: by.accountId,
    action,
    actor: by.actor,
    environmentId: by.environment.id,
    target: { type: 'api_token', id: apiTokenId },
    metadata,
    request: by.request,
  });
}

export async function listApiTokens(db: Database, scopeId: string): Promise<ApiToken[]> {
  const apiTokens = await db.apiToken.findMany({
    where: { scopeId },
    select: apiTokenSelect,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return apiTokens.map(toApiToken);
}

export async function getApiToken(db: Database | Tx, scopeId: string, id: string): Promise<ApiToken> {
  return toApiToken(await findApiToken(db, scopeId, id));
}

/** A new API token bound to the request's environment; the token itself is in the answer only. */
export async function createApiToken(
  db: Database,
  secrets: SecretBox,
  by: ApiTokenChangeBy,
  body: CreateApiTokenBody,
): Promise<ApiToken & { token: string }> {
  const token = generateToken('apiToken');
  return db.$transaction(async (tx) => {
    await ensureBelowLimit(tx, by.environment.scopeId, 'apiTokens');
    await ensureNameIsFree(tx, by.environment.scopeId, body.name);
    const apiToken = await tx.apiToken.create({
      data: {
        scopeId: by.environment.scopeId,
        environmentId: by.environment.id,
        name: body.name,
        role: body.role,
        tokenDigest: digestToken(token),
        tokenCiphertext: secrets.seal(token),
        tokenLast4: tokenLast4(token),
        createdById: by.actor.type === 'user' ? by.actor.id : null,
      },
      select: apiTokenSelect,
    });
    await audit(tx, by, 'api_token.created', apiToken.id, { name: apiToken.name, role: apiToken.role });
    return { ...toApiToken(apiToken), token };
  });
}

export async function updateApiToken(
  db: Database,
  by: ApiTokenChangeBy,
  id: string,
  body: UpdateApiTokenBody,
): Promise<ApiToken> {
  return db.$transaction(async (tx) => {
    const current = await findApiToken(tx, by.environment.scopeId, id);
    const changes: { name?: string; role?: ApiTokenRow['role'] } = {};
    if (body.name !== undefined && body.name !== current.name) {
      await ensureNameIsFree(tx, by.environment.scopeId, body.name);
      changes.name = body.name;
    }
    if (body.role !== undefined && body.role !== current.role) changes.role = body.role;
    if (Object.keys(changes).length === 0) return toApiToken(current);
    const updated = await tx.apiToken.update({
      where: { id: current.id },
      data: changes,
      select: apiTokenSelect,
    });
    await audit(tx, by, 'api_token.updated', current.id, {
      ...(changes.name ? { name: { from: current.name, to: changes.name } } : {}),
      ...(changes.role ? { role: { from: current.role, to: changes.role } } : {}),
    });
    return toApiToken(updated);
  });
}

/** Show token: decrypts the stored token, and records that it was shown. */
export async function showApiToken(
  db: Database,
  secrets: SecretBox,
  by: ApiTokenChangeBy,
  id: string,
): Promise<{ token: string }> {
  return db.$transaction(async (tx) => {
    const apiToken = await tx.apiToken.findFirst({
      where: { id, scopeId: by.environment.scopeId },
      select: { id: true, tokenCiphertext: true },
    });
    if (!apiToken) throw notFound('API token');
    const token = secrets.open(apiToken.tokenCiphertext);
    await audit(tx, by, 'api_token.token_shown', apiToken.id);
    return { token };
  });
}

/**
 * Generate token: a new token replaces digest and ciphertext in one update, so the old token
 * stops authenticating with the next request.
 */
export async function generateApiToken(
  db: Database,
  secrets: SecretBox,
  by: ApiTokenChangeBy,
  id: string,
): Promise<{ token: string }> {
  const token = generateToken('apiToken');
  return db.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({
      where: { id, scopeId: by.environment.scopeId },
      data: {
        tokenDigest: digestToken(token),
        tokenCiphertext: secrets.seal(token),
        tokenLast4: tokenLast4(token),
      },
    });
    if (count === 0) throw notFound('API token');
    await audit(tx, by, 'api_token.token_generated', id);
    return { token };
  });
}

export async function deleteApiToken(db: Database, by: ApiTokenChangeBy, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const apiToken = await findApiToken(tx, by.environment.scopeId, id);
    const { count } = await tx.apiToken.deleteMany({
      where: { id: apiToken.id, scopeId: by.environment.scopeId },
    });
    if (count === 0) throw notFound('API token');
    await audit(tx, by, 'api_token.deleted', apiToken.id, { name: apiToken.name });
  });
}

/** An API token of this scope; one of another scope or account is not found, never forbidden. */
async function findApiToken(db: Database | Tx, scopeId: string, id: string): Promise<ApiTokenRow> {
  const apiToken = await db.apiToken.findFirst({ where: { id, scopeId }, select: apiTokenSelect });
  if (!apiToken) throw notFound('API token');
  return apiToken;
}

async function ensureNameIsFree(tx: Tx, scopeId: string, name: string): Promise<void> {
  const taken = await tx.apiToken.findUnique({
    where: { scopeId_name: { scopeId, name } },
    select: { id: true },
  });
  if (taken) throw conflict(`An API token named "${name}" already exists`);
}
