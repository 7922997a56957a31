'use client';

import type { ApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { ApiError, errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';
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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit() {
    const invalid = validateApiTokenName(name);
    setErrors(invalid);
    setFormError(undefined);
    if (Object.keys(invalid).length > 0) return;
    setBusy(true);
    try {
      onSaved(await api.patch<ApiToken>(`/v1/api-tokens/${token.id}`, { name: name.trim(), role }));
      onClose();
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Edit API token"
      description="Programs keep using the same token; a new role applies to their next request."
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy}>
            Save
          </Button>
        </>
      }
    >
      <ApiTokenFields name={name} role={role} errors={errors} onNameChange={setName} onRoleChange={setRole} />
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
