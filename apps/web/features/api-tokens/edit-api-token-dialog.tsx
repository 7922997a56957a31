'use client';

import type { ApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { FormDialog } from '@/components/form-dialog';
import { useApi } from '@/lib/use-api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';
import { ApiTokenFields, validateApiTokenName } from './api-token-fields';

/** Rename a token or change its role; the token itself stays the same. Mount it with a `key` per token. */
export function EditApiTokenDialog({
  token,
  onClose,
  onSaved,
}: {
  token: ApiToken;
  onClose: () => void;
  onSaved: (token: ApiToken) => void;
}) {
  const api = useApi();
  const [name, setName] = useState(token.name);
  const [role, setRole] = useState<Role>(token.role);
  const { submit, busy, fieldErrors, formError } = useFormSubmit();

  function save() {
    return submit(checkFields(validateApiTokenName(name), { name: name.trim(), role }), async (values) => {
      onSaved(await api.patch<ApiToken>(`/v1/api-tokens/${token.id}`, values));
      onClose();
    });
  }

  return (
    <FormDialog
      open
      onClose={onClose}
      title="Edit API token"
      description="Programs keep using the same token; a new role applies to their next request."
      submitLabel="Save"
      busy={busy}
      formError={formError}
      onSubmit={() => void save()}
    >
      <ApiTokenFields
        name={name}
        role={role}
        errors={fieldErrors}
        onNameChange={setName}
        onRoleChange={setRole}
      />
    </FormDialog>
  );
}
