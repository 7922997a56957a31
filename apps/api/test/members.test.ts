import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, issuePaths, signUp, startTestApp, type TestApp, uniqueEmail } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const membershipsOf = (accountId: string) =>
  t.db.membership.findMany({
    where: { accountId },
    select: { id: true, userId: true, role: true },
    orderBy: { id: 'asc' },
  });

const auditOf = (accountId: string, action: string) =>
  t.db.auditEvent.findMany({ where: { accountId, action }, orderBy: { createdAt: 'asc' } });

describe('GET /v1/members', () => {
  it('lists the members with their role and whether they have signed up', async () => {
    const owner = await signUp(t.app);
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const invited = uniqueEmail('invited');
    await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email: invited, role: 'MANAGE' },
    });
    const response = await call(t.app, 'GET', '/v1/members', { as: { cookie: monitor.cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      expect.objectContaining({ email: owner.email, role: 'OWNER', active: true, userId: owner.me.user.id }),
      expect.objectContaining({ email: monitor.email, role: 'MONITOR', active: true }),
      expect.objectContaining({ email: invited, role: 'MANAGE', active: false }),
    ]);
    expect(response.body).not.toContain('argon2');
    const stored = await membershipsOf(owner.me.account.id);
    expect(new Set(response.json().items.map((member: { id: string }) => member.id))).toEqual(
      new Set(stored.map((membership) => membership.id)),
    );
  });
});

describe('POST /v1/members', () => {
  it('invites an unknown e-mail: a user without a password who joins on sign-up', async () => {
    const owner = await signUp(t.app, { accountName: 'Inviting Co' });
    const email = uniqueEmail('newcomer');
    const response = await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email: email.toUpperCase(), role: 'MANAGE' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ email, role: 'MANAGE', active: false, name: null });

    const user = await t.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toBeNull();
    expect(response.json().userId).toBe(user.id);
    const membership = await t.db.membership.findUniqueOrThrow({ where: { id: response.json().id } });
    expect(membership).toMatchObject({ accountId: owner.me.account.id, userId: user.id, role: 'MANAGE' });
    const [event] = await auditOf(owner.me.account.id, 'member.added');
    expect(event).toMatchObject({
      actorId: owner.me.user.id,
      targetType: 'member',
      targetId: membership.id,
      metadata: { email, role: 'MANAGE' },
    });

    // Signing up with that e-mail completes the same user, who now sees both accounts.
    const invitee = await signUp(t.app, { email, accountName: 'Own Co' });
    expect(invitee.me.user.id).toBe(user.id);
    expect(invitee.me.accounts.map((account) => account.name).sort()).toEqual(['Inviting Co', 'Own Co']);
    const listed = await call(t.app, 'GET', '/v1/members', { as: { cookie: owner.cookie } });
    expect(listed.json().items).toContainEqual(expect.objectContaining({ email, active: true }));
  });

  it('adds a person who already has a user without creating another', async () => {
    const owner = await signUp(t.app);
    const other = await signUp(t.app);
    const users = await t.db.user.count();
    const response = await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email: other.email, role: 'ADMIN' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ userId: other.me.user.id, active: true, role: 'ADMIN' });
    expect(await t.db.user.count()).toBe(users);
  });

  it('answers 409 for someone already a member, in any letter case, and changes nothing', async () => {
    const owner = await signUp(t.app);
    const member = await addMember(t.app, owner, 'MANAGE');
    const before = await membershipsOf(owner.me.account.id);
    for (const email of [member.email.toUpperCase(), owner.email]) {
      const response = await call(t.app, 'POST', '/v1/members', {
        as: { cookie: owner.cookie },
        body: { email, role: 'MONITOR' },
      });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toMatch(/already a member/);
    }
    expect(await membershipsOf(owner.me.account.id)).toEqual(before);
  });

  it('names every invalid field', async () => {
    const owner = await signUp(t.app);
    const response = await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email: 'not an address', role: 'KING' },
    });
    expect(response.statusCode).toBe(400);
    expect(issuePaths(response)).toEqual(expect.arrayContaining(['body.email', 'body.role']));
    expect(await membershipsOf(owner.me.account.id)).toHaveLength(1);
  });

  it('lets only an owner add an owner', async () => {
    const owner = await signUp(t.app);
    const admin = await addMember(t.app, owner, 'ADMIN');
    const email = uniqueEmail('would-be-owner');
    const refused = await call(t.app, 'POST', '/v1/members', {
      as: { cookie: admin.cookie },
      body: { email, role: 'OWNER' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/owner/i);
    expect(await t.db.user.findUnique({ where: { email } })).toBeNull();

    const allowed = await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email, role: 'OWNER' },
    });
    expect(allowed.statusCode).toBe(201);
    expect((await t.db.membership.findUniqueOrThrow({ where: { id: allowed.json().id } })).role).toBe(
      'OWNER',
    );
  });
});

describe('PATCH /v1/members/:id', () => {
  it("changes a member's role, takes effect at once, and audits from and to", async () => {
    const owner = await signUp(t.app);
    const member = await addMember(t.app, owner, 'MANAGE');
    const response = await call(t.app, 'PATCH', `/v1/members/${member.member.id}`, {
      as: { cookie: owner.cookie },
      body: { role: 'ADMIN' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: member.member.id, role: 'ADMIN' });
    expect((await t.db.membership.findUniqueOrThrow({ where: { id: member.member.id } })).role).toBe('ADMIN');
    // Their existing session now has the new role.
    const audit = await call(t.app, 'GET', '/v1/audit-events', { as: { cookie: member.cookie } });
    expect(audit.statusCode).toBe(200);
    const events = await auditOf(owner.me.account.id, 'member.role_changed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      targetId: member.member.id,
      metadata: { email: member.email, from: 'MANAGE', to: 'ADMIN' },
    });
  });

  it('records nothing when the role stays the same', async () => {
    const owner = await signUp(t.app);
    const member = await addMember(t.app, owner, 'MANAGE');
    const response = await call(t.app, 'PATCH', `/v1/members/${member.member.id}`, {
      as: { cookie: owner.cookie },
      body: { role: 'MANAGE' },
    });
    expect(response.statusCode).toBe(200);
    expect(await auditOf(owner.me.account.id, 'member.role_changed')).toHaveLength(0);
  });

  it('lets only an owner grant OWNER or change an owner', async () => {
    const owner = await signUp(t.app);
    const secondOwner = await addMember(t.app, owner, 'OWNER');
    const admin = await addMember(t.app, owner, 'ADMIN');
    const manager = await addMember(t.app, owner, 'MANAGE');
    const before = await membershipsOf(owner.me.account.id);
    const attempts = [
      { id: manager.member.id, role: 'OWNER' },
      { id: admin.member.id, role: 'OWNER' },
      { id: secondOwner.member.id, role: 'MONITOR' },
      { id: secondOwner.member.id, role: 'ADMIN' },
    ];
    for (const { id, role } of attempts) {
      const response = await call(t.app, 'PATCH', `/v1/members/${id}`, {
        as: { cookie: admin.cookie },
        body: { role },
      });
      expect(response.statusCode, `${id} → ${role}`).toBe(403);
      expect(response.json().error.message).toMatch(/owner/i);
    }
    expect(await membershipsOf(owner.me.account.id)).toEqual(before);

    // An ADMIN may still change non-owners, and an OWNER may grant OWNER.
    const demoted = await call(t.app, 'PATCH', `/v1/members/${manager.member.id}`, {
      as: { cookie: admin.cookie },
      body: { role: 'MONITOR' },
    });
    expect(demoted.statusCode).toBe(200);
    const promoted = await call(t.app, 'PATCH', `/v1/members/${manager.member.id}`, {
      as: { cookie: owner.cookie },
      body: { role: 'OWNER' },
    });
    expect(promoted.statusCode).toBe(200);
    expect((await t.db.membership.findUniqueOrThrow({ where: { id: manager.member.id } })).role).toBe(
      'OWNER',
    );
  });

  it('never demotes the last owner', async () => {
    const owner = await signUp(t.app);
    const [own] = await t.db.membership.findMany({ where: { accountId: owner.me.account.id } });
    const response = await call(t.app, 'PATCH', `/v1/members/${own?.id}`, {
      as: { cookie: owner.cookie },
      body: { role: 'ADMIN' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.message).toMatch(/last owner/i);
    expect((await t.db.membership.findUniqueOrThrow({ where: { id: own?.id ?? '' } })).role).toBe('OWNER');
  });

  it('keeps one owner when two owners demote each other at the same moment', async () => {
    const owner = await signUp(t.app);
    const other = await addMember(t.app, owner, 'OWNER');
    const own = await t.db.membership.findFirstOrThrow({
      where: { accountId: owner.me.account.id, userId: owner.me.user.id },
    });
    const [first, second] = await Promise.all([
      call(t.app, 'PATCH', `/v1/members/${other.member.id}`, {
        as: { cookie: owner.cookie },
        body: { role: 'ADMIN' },
      }),
      call(t.app, 'PATCH', `/v1/members/${own.id}`, {
        as: { cookie: other.cookie },
        body: { role: 'ADMIN' },
      }),
    ]);
    expect([first?.statusCode, second?.statusCode].sort()).toEqual([200, 409]);
    expect(await t.db.membership.count({ where: { accountId: owner.me.account.id, role: 'OWNER' } })).toBe(1);
  });

  it('answers 404 for a member of another account or an unknown id, and 400 for a malformed id', async () => {
    const owner = await signUp(t.app);
    const stranger = await signUp(t.app);
    const strangers = await membershipsOf(stranger.me.account.id);
    for (const id of [strangers[0]?.id, '0190d6f1-9d2f-7c1e-8b44-2a1c0f6a9b01']) {
      const response = await call(t.app, 'PATCH', `/v1/members/${id}`, {
        as: { cookie: owner.cookie },
        body: { role: 'MONITOR' },
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.message).toBe('Member not found');
    }
    expect(await membershipsOf(stranger.me.account.id)).toEqual(strangers);
    const malformed = await call(t.app, 'PATCH', '/v1/members/42', {
      as: { cookie: owner.cookie },
      body: { role: 'NOPE' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(issuePaths(malformed)).toContain('params.id');
  });
});

describe('DELETE /v1/members/:id', () => {
  it('removes a member, audits it, and their sessions no longer open the account', async () => {
    const owner = await signUp(t.app);
    const member = await addMember(t.app, owner, 'ADMIN');
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie: member.cookie } })).statusCode).toBe(200);

    const response = await call(t.app, 'DELETE', `/v1/members/${member.member.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await t.db.membership.findUnique({ where: { id: member.member.id } })).toBeNull();
    const [event] = await auditOf(owner.me.account.id, 'member.removed');
    expect(event).toMatchObject({
      targetId: member.member.id,
      metadata: { email: member.email, role: 'ADMIN' },
    });

    for (const [method, url] of [
      ['GET', '/v1/me'],
      ['GET', '/v1/members'],
    ] as const) {
      const after = await call(t.app, method, url, { as: { cookie: member.cookie } });
      expect(after.statusCode).toBe(401);
      expect(after.body).not.toContain(owner.email);
    }
    // Added again later, the old session stays dead.
    await call(t.app, 'POST', '/v1/members', {
      as: { cookie: owner.cookie },
      body: { email: member.email, role: 'MONITOR' },
    });
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie: member.cookie } })).statusCode).toBe(401);
  });

  it('a session stops opening the account as soon as the membership is gone', async () => {
    const owner = await signUp(t.app);
    const member = await addMember(t.app, owner, 'MANAGE');
    // The membership alone is removed, the session row stays as it was.
    await t.db.membership.delete({ where: { id: member.member.id } });
    const response = await call(t.app, 'GET', '/v1/environments', { as: { cookie: member.cookie } });
    expect(response.statusCode).toBe(401);
  });

  it('lets only an owner remove an owner, and never the last one', async () => {
    const owner = await signUp(t.app);
    const admin = await addMember(t.app, owner, 'ADMIN');
    const secondOwner = await addMember(t.app, owner, 'OWNER');
    const before = await membershipsOf(owner.me.account.id);
    const byAdmin = await call(t.app, 'DELETE', `/v1/members/${secondOwner.member.id}`, {
      as: { cookie: admin.cookie },
    });
    expect(byAdmin.statusCode).toBe(403);
    expect(await membershipsOf(owner.me.account.id)).toEqual(before);

    const byOwner = await call(t.app, 'DELETE', `/v1/members/${secondOwner.member.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(byOwner.statusCode).toBe(204);
    const own = await t.db.membership.findFirstOrThrow({
      where: { accountId: owner.me.account.id, userId: owner.me.user.id },
    });
    const last = await call(t.app, 'DELETE', `/v1/members/${own.id}`, { as: { cookie: owner.cookie } });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.message).toMatch(/last owner/i);
    expect(await t.db.membership.findUnique({ where: { id: own.id } })).not.toBeNull();
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie } })).statusCode).toBe(200);
  });

  it('lets a member who is not the last owner leave', async () => {
    const owner = await signUp(t.app);
    const admin = await addMember(t.app, owner, 'ADMIN');
    const response = await call(t.app, 'DELETE', `/v1/members/${admin.member.id}`, {
      as: { cookie: admin.cookie },
    });
    expect(response.statusCode).toBe(204);
    expect(await t.db.membership.findUnique({ where: { id: admin.member.id } })).toBeNull();
  });

  it('answers 404 for a member of another account and removes nothing', async () => {
    const owner = await signUp(t.app);
    const stranger = await signUp(t.app);
    const strangerMember = await addMember(t.app, stranger, 'MANAGE');
    const before = await membershipsOf(stranger.me.account.id);
    const response = await call(t.app, 'DELETE', `/v1/members/${strangerMember.member.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(strangerMember.email);
    expect(await membershipsOf(stranger.me.account.id)).toEqual(before);
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie: strangerMember.cookie } })).statusCode).toBe(
      200,
    );
  });
});
