import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@outpost/db/client';
import type { License } from '@outpost/protocol/rest/accounts';
import type { Role } from '@outpost/protocol/roles';

export const SESSION_COOKIE = 'outpost_session';
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often per session. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export interface ActiveSession {
  id: string;
  lastSeenAt: Date;
  user: { id: string; email: string };
  account: { id: string; license: License };
  role: Role;
}

const hashCookie = (value: string) => createHash('sha256').update(value).digest('hex');

export interface NewSession {
  userId: string;
  accountId: string;
  ipAddress: string;
  userAgent: string | undefined;
}

/** Creates a session and returns the cookie value; only its SHA-256 is stored. */
export async function createSession(
  db: Pick<Database, 'session'>,
  session: NewSession,
): Promise<{ cookie: string; expiresAt: Date }> {
  const cookie = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
  await db.session.create({ data: { ...session, tokenHash: hashCookie(cookie), expiresAt } });
  return { cookie, expiresAt };
}

/** The live session behind a cookie, with the member's current role; null when revoked or expired. */
export async function findSessionByCookie(db: Database, cookie: string): Promise<ActiveSession | null> {
  if (cookie.length > 100) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: hashCookie(cookie) },
    include: { user: true, account: { select: { id: true, license: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= new Date()) return null;
  const membership = await db.membership.findUnique({
    where: { accountId_userId: { accountId: session.accountId, userId: session.userId } },
  });
  // Removed from the account since signing in: the session no longer opens it.
  if (!membership) return null;
  return {
    id: session.id,
    lastSeenAt: session.lastSeenAt,
    user: { id: session.user.id, email: session.user.email },
    account: session.account,
    role: membership.role,
  };
}

export async function touchSession(db: Database, session: ActiveSession): Promise<void> {
  if (Date.now() - session.lastSeenAt.getTime() < TOUCH_INTERVAL_MS) return;
  const now = new Date();
  await db.session.update({
    where: { id: session.id },
    data: { lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) },
  });
}

export async function revokeSession(db: Database, sessionId: string): Promise<void> {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}
