import type { Database } from '@outpost/db/client';
import { digestToken } from '@outpost/protocol/tokens';
import { digestsMatch } from '../../lib/token-digest.ts';

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
  await db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date() } });
}
