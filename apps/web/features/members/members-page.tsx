'use client';

import type { Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { Button } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { QueryView } from '@/features/shell/query-view';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { ROLE_LABELS } from '@/lib/roles';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { AddMemberDialog } from './add-member-dialog';
import { MembersTable } from './members-table';

export function MembersPage() {
  const { me } = useMe();
  const api = useApi();
  const toast = useToast();
  const members = useApiQuery<{ items: Member[] }>('/v1/members');
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member>();
  const canAdminister = permissionsOf(me).administer;

  async function changeRole(member: Member, role: Role) {
    try {
      const updated = await api.patch<Member>(`/v1/members/${member.id}`, { role });
      members.update(({ items }) => ({
        items: items.map((item) => (item.id === updated.id ? updated : item)),
      }));
      toast(`${member.email} is now ${ROLE_LABELS[updated.role]}`);
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  async function remove(member: Member) {
    await api.delete(`/v1/members/${member.id}`);
    members.update(({ items }) => ({ items: items.filter((item) => item.id !== member.id) }));
    toast(`${member.email} was removed`);
  }

  return (
    <>
      <PageHeader
        eyebrow="Account settings"
        title="Members"
        description={`People who can sign in to ${me.account.name}. A member's role applies in every environment.`}
        actions={
          canAdminister ? (
            <Button variant="primary" onClick={() => setAdding(true)}>
              <PlusIcon size={15} />
              Add member
            </Button>
          ) : null
        }
      />
      <Panel>
        <QueryView query={members} what="members">
          {({ items }) => (
            <MembersTable
              members={items}
              currentUserId={me.user.id}
              canAdminister={canAdminister}
              onChangeRole={(member, role) => void changeRole(member, role)}
              onRemove={setRemoving}
            />
          )}
        </QueryView>
      </Panel>
      <AddMemberDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(member) => {
          members.update(({ items }) => ({ items: [...items, member] }));
          toast(`${member.email} was added as ${ROLE_LABELS[member.role]}`);
        }}
      />
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove member?"
        confirmLabel="Remove member"
        tone="danger"
        onClose={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (removing) await remove(removing);
        }}
      >
        <strong>{removing?.email}</strong> loses access to {me.account.name} at once, in every environment.
      </ConfirmDialog>
    </>
  );
}
