'use client';

import type { Role } from '@outpost/protocol/roles';
import { controlClassName } from '@/components/field';
import { ROLE_LABELS } from '@/lib/roles';

/** A compact role picker for a table row. */
export function RoleSelect({
  label,
  value,
  roles,
  disabled,
  onChange,
}: {
  /** Accessible name, e.g. "Role of ada@example.com". */
  label: string;
  value: Role;
  roles: readonly Role[];
  disabled?: boolean;
  onChange: (role: Role) => void;
}) {
  return (
    <select
      aria-label={label}
      className={controlClassName}
      style={{ width: 'auto', minWidth: 120 }}
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value as Role)}
    >
      {roles.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}
