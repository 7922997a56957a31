import type { Database, Prisma } from '@outpost/db/client';
import type { AddMemberBody, Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import type { Actor } from '../../context.ts';
import { conflict, forbidden, notFound } from '../../errors.ts';
import { type AuditEventInput, recordAuditEvent } from '../audit/service.ts';

type Tx = Prisma.TransactionClient;

const memberSelect = {
  id: true,
  userId: true,
  role: true,
  createdAt: true,
  user: { select: { email: true, name: true, passwordHash: true } },
} as const;

type MemberRow = Prisma.MembershipGetPayload<{ select: typeof memberSelect }>;

function toMember(membership: MemberRow): Member {
  return {
    id: membership.id,
    userId: membership.userId,
    email: membership.user.email,
    name: membership.user.name,
    role: membership.role,
    // An invited person has no password until they sign up.
    active: membership.user.passwordHash !== null,
    createdAt: membership.createdAt.toISOString(),
  };
}

/** Who asks for a membership change, and in which account. */
export interface MemberChangeBy {
  accountId: string;
  actor: Actor;
  /** The role of whoever asks: only an OWNER may grant OWNER or change an OWNER. */
  actorRole: Role;
  request: AuditEventInput['request'];
}

export async function listMembers(db: Database, accountId: string): Promise<Member[]> {
  const memberships = await db.membership.findMany({
    where: { accountId },
    select: memberSelect,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return memberships.map(toMember);
}

/**
 * Makes the person with this e-mail a member. Someone without a user yet is invited: a user without
 * a password, completed when they sign up with that e-mail.
 */
export async function addMember(db: Database, by: MemberChangeBy, body: AddMemberBody): Promise<Member> {
  if (body.role === 'OWNER' && by.actorRole !== 'OWNER') throw forbidden('Only an owner can add an owner');
  return db.$transaction(async (tx) => {
    const user =
      (await tx.user.findUnique({ where: { email: body.email }, select: { id: true } })) ??
      (await tx.user.create({ data: { email: body.email, passwordHash: null }, select: { id: true } }));
    const existing = await tx.membership.findUnique({
      where: { accountId_userId: { accountId: by.accountId, userId: user.id } },
      select: { id: true },
    });
    if (existing) throw conflict(`${body.email} is already a member of this account`);
    const membership = await tx.membership.create({
      data: { accountId: by.accountId, userId: user.id, role: body.role },
      select: memberSelect,
    });
    await recordAuditEvent(tx, {
      accountId: by.accountId,
      action: 'member.added',
      actor: by.actor,
      target: { type: 'member', id: membership.id },
      metadata: { email: membership.user.email, role: membership.role },
      request: by.request,
    });
    return toMember(membership);
  });
}

export async function changeMemberRole(
  db: Database,
  by: MemberChangeBy,
  memberId: string,
  role: Role,
): Promise<Member> {
  return db.$transaction(async (tx) => {
    const ownerIds = await lockOwners(tx, by.accountId);
    const membership = await findMembership(tx, by.accountId, memberId);
    if ((membership.role === 'OWNER' || role === 'OWNER') && by.actorRole !== 'OWNER') {
      throw forbidden(
        membership.role === 'OWNER'
          ? "Only an owner can change an owner's role"
          : 'Only an owner can make someone an owner',
      );
    }
    if (membership.role === role) return toMember(membership);
    if (membership.role === 'OWNER' && ownerIds.length <= 1) {
      throw conflict('The last owner of an account cannot be demoted; make another member an owner first');
    }
    const updated = await tx.membership.update({
      where: { id: membership.id },
      data: { role },
      select: memberSelect,
    });
    await recordAuditEvent(tx, {
      accountId: by.accountId,
      action: 'member.role_changed',
      actor: by.actor,
      target: { type: 'member', id: membership.id },
      metadata: { email: membership.user.email, from: membership.role, to: role },
      request: by.request,
    });
    return toMember(updated);
  });
}

/** Removes a member; their sessions in this account are revoked with the membership. */
export async function removeMember(db: Database, by: MemberChangeBy, memberId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const ownerIds = await lockOwners(tx, by.accountId);
    const membership = await findMembership(tx, by.accountId, memberId);
    if (membership.role === 'OWNER' && by.actorRole !== 'OWNER')
      throw forbidden('Only an owner can remove an owner');
    if (membership.role === 'OWNER' && ownerIds.length <= 1) {
      throw conflict('The last owner of an account cannot be removed; make another member an owner first');
    }
    await tx.membership.delete({ where: { id: membership.id } });
    // Sign-in already checks the membership; revoking also keeps a later re-invitation from
    // reviving these sessions.
    await tx.session.updateMany({
      where: { accountId: by.accountId, userId: membership.userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAuditEvent(tx, {
      accountId: by.accountId,
      action: 'member.removed',
      actor: by.actor,
      target: { type: 'member', id: membership.id },
      metadata: { email: membership.user.email, role: membership.role },
      request: by.request,
    });
  });
}

/** A membership of this account; an id from another account is not found. */
async function findMembership(tx: Tx, accountId: string, memberId: string): Promise<MemberRow> {
  const membership = await tx.membership.findFirst({
    where: { id: memberId, accountId },
    select: memberSelect,
  });
  if (!membership) throw notFound('Member');
  return membership;
}

/**
 * Locks the account's OWNER memberships for the transaction and returns their ids, so that two
 * owners demoting or removing each other at once cannot leave the account without one.
 */
async function lockOwners(tx: Tx, accountId: string): Promise<string[]> {
  const owners = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM "Membership"
    WHERE "accountId" = ${accountId}::uuid AND role = 'OWNER'
    FOR UPDATE`;
  return owners.map((owner) => owner.id);
}
