'use client';

import type { Role } from '@outpost/protocol/roles';
import { SelectField, TextField } from '@/components/field';
import type { FieldErrors } from '@/lib/form-errors';
import { API_TOKEN_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/roles';

/** Name and role of an API token, for creating and for editing. */
export function ApiTokenFields({
  name,
  role,
  errors,
  onNameChange,
  onRoleChange,
}: {
  name: string;
  role: Role;
  errors: FieldErrors;
  onNameChange: (name: string) => void;
  onRoleChange: (role: Role) => void;
}) {
  return (
    <>
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(event) => onNameChange(event.target.value)}
        placeholder="Nightly export job"
        hint="Say which program uses it, so that you know what breaks if you delete it."
        error={errors.name}
        autoComplete="off"
        maxLength={100}
        autoFocus
      />
      <SelectField
        label="Role"
        name="role"
        value={role}
        onChange={(event) => onRoleChange(event.target.value as Role)}
        hint={ROLE_DESCRIPTIONS[role]}
        error={errors.role}
      >
        {API_TOKEN_ROLES.map((option) => (
          <option key={option} value={option}>
            {ROLE_LABELS[option]}
          </option>
        ))}
      </SelectField>
    </>
  );
}

/** Client-side check before the request; the API checks again and its messages win. */
export function validateApiTokenName(name: string): FieldErrors {
  return name.trim() ? {} : { name: 'Give the token a name' };
}
