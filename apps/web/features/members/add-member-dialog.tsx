'use client';

import type { Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { SelectField, TextField } from '@/components/field';
import { ApiError, errorMessage } from '@/lib/api';
import { MEMBER_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/roles';
import { useApi } from '@/lib/use-api';

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
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();

  function close() {
    setFieldErrors({});
    setFormError(undefined);
    setRole('MANAGE');
    onClose();
  }

  async function submit(form: HTMLFormElement) {
    const email = String(new FormData(form).get('email') ?? '').trim();
    if (!email) {
      setFieldErrors({ email: 'Enter the e-mail address of the person to add' });
      return;
    }
    setBusy(true);
    setFieldErrors({});
    setFormError(undefined);
    try {
      const member = await api.post<Member>('/v1/members', { email, role });
      onAdded(member);
      close();
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add member"
      description="They can sign in with this e-mail address; if they have no Outpost user yet, they sign up with it."
      onSubmit={(event) => void submit(event.currentTarget)}
      footer={
        <>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy}>
            Add member
          </Button>
        </>
      }
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
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
