'use client';

import type { Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import { Badge } from '@/components/badge';
import { Button } from '@/components/button';
import { CellActions, CellText, cellStyles, Table } from '@/components/table';
import { formatDate } from '@/lib/format';
import { MEMBER_ROLES, ROLE_LABELS } from '@/lib/roles';
import { RoleSelect } from './role-select';

export function MembersTable({
  members,
  currentUserId,
  canAdminister,
  onChangeRole,
  onRemove,
}: {
  members: Member[];
  currentUserId: string;
  canAdminister: boolean;
  onChangeRole: (member: Member, role: Role) => void;
  onRemove: (member: Member) => void;
}) {
  return (
    <Table label="Members">
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">Added</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {members.map((member) => {
          const isYou = member.userId === currentUserId;
          return (
            <tr key={member.id}>
              <td>
                <CellText
                  primary={
                    <>
                      {member.email} {isYou ? <Badge>You</Badge> : null}
                    </>
                  }
                  secondary={member.name}
                />
              </td>
              <td>
                {canAdminister && !isYou ? (
                  <RoleSelect
                    label={`Role of ${member.email}`}
                    value={member.role}
                    roles={MEMBER_ROLES}
                    onChange={(role) => onChangeRole(member, role)}
                  />
                ) : (
                  <Badge tone={member.role === 'OWNER' ? 'accent' : 'neutral'}>
                    {ROLE_LABELS[member.role]}
                  </Badge>
                )}
              </td>
              <td>
                {member.active ? (
                  <Badge tone="success" dot>
                    Active
                  </Badge>
                ) : (
                  <Badge tone="warning" dot>
                    Invited
                  </Badge>
                )}
              </td>
              <td className={cellStyles.muted}>{formatDate(member.createdAt)}</td>
              <td>
                {canAdminister && !isYou ? (
                  <CellActions>
                    <Button size="small" variant="ghost" onClick={() => onRemove(member)}>
                      Remove
                    </Button>
                  </CellActions>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
