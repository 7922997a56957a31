'use client';

import type { CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { SecretValue } from '@/components/secret-value';
import { ApiError, errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { useApi } from '@/lib/use-api';
import { ApiTokenFields, validateApiTokenName } from './api-token-fields';

/** Name and role, then the new token, shown once with Copy. */
export function CreateApiTokenDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (token: CreatedApiToken) => void;
}) {
  const api = useApi();
  const environment = useEnvironment();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('MANAGE');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken>();

  function close() {
    setName('');
    setRole('MANAGE');
    setErrors({});
    setFormError(undefined);
    setCreated(undefined);
    onClose();
  }

  async function submit() {
    const invalid = validateApiTokenName(name);
    setErrors(invalid);
    setFormError(undefined);
    if (Object.keys(invalid).length > 0) return;
    setBusy(true);
    try {
      const token = await api.post<CreatedApiToken>('/v1/api-tokens', { name: name.trim(), role });
      setCreated(token);
      onCreated(token);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        wide
        title="API token created"
        description={`${created.name} acts in ${created.environment.name}.`}
        footer={
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        }
      >
        <Alert tone="warning" title="Copy the token now">
          Store it where the program that uses it keeps its secrets. Owners and admins can show it again later
          with Show token.
        </Alert>
        <SecretValue value={created.token} label={`Token of ${created.name}`} />
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Create API token"
      description={`The token acts only in ${environment.name}, with the role you choose.`}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create API token
          </Button>
        </>
      }
    >
      <ApiTokenFields name={name} role={role} errors={errors} onNameChange={setName} onRoleChange={setRole} />
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
