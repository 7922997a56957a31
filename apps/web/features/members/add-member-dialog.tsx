'use client';

import type { Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { SelectField, TextField } from '@/components/field';
import { FormDialog } from '@/components/form-dialog';
import type { FieldErrors } from '@/lib/form-errors';
import { MEMBER_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/roles';
import { useApi } from '@/lib/use-api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';

export function AddMemberDialog({
  open,
  onClose,
  onAdded,
}: {
  open: boolean;
  onClose: () => void;
  onAdded: (member: Member) => void;
}) {
  const api = useApi();
  const [role, setRole] = useState<Role>('MANAGE');
  const { submit, reset, busy, fieldErrors, formError } = useFormSubmit();

  function close() {
    reset();
    setRole('MANAGE');
    onClose();
  }

  function save(form: HTMLFormElement) {
    const email = String(new FormData(form).get('email') ?? '').trim();
    const invalid: FieldErrors = email ? {} : { email: 'Enter the e-mail address of the person to add' };
    return submit(checkFields(invalid, { email, role }), async (values) => {
      onAdded(await api.post<Member>('/v1/members', values));
      close();
    });
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Add member"
      description="They can sign in with this e-mail address; if they have no Outpost user yet, they sign up with it."
      submitLabel="Add member"
      busy={busy}
      formError={formError}
      onSubmit={(form) => void save(form)}
    >
      <TextField
        label="E-mail"
        name="email"
        type="email"
        autoComplete="off"
        placeholder="name@company.com"
        error={fieldErrors.email}
        autoFocus
      />
      <SelectField
        label="Role"
        name="role"
        value={role}
        onChange={(event) => setRole(event.target.value as Role)}
        hint={ROLE_DESCRIPTIONS[role]}
        error={fieldErrors.role}
      >
        {MEMBER_ROLES.map((option) => (
          <option key={option} value={option}>
            {ROLE_LABELS[option]}
          </option>
        ))}
      </SelectField>
    </FormDialog>
  );
}
