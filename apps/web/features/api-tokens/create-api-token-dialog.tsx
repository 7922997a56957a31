'use client';

import type { CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Role } from '@outpost/protocol/roles';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { FormDialog } from '@/components/form-dialog';
import { SecretValue } from '@/components/secret-value';
import { useEnvironment } from '@/lib/environment';
import { useApi } from '@/lib/use-api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';
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
  const { submit, reset, busy, fieldErrors, formError } = useFormSubmit();
  const [created, setCreated] = useState<CreatedApiToken>();

  function close() {
    setName('');
    setRole('MANAGE');
    reset();
    setCreated(undefined);
    onClose();
  }

  function save() {
    return submit(checkFields(validateApiTokenName(name), { name: name.trim(), role }), async (values) => {
      const token = await api.post<CreatedApiToken>('/v1/api-tokens', values);
      setCreated(token);
      onCreated(token);
    });
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
    <FormDialog
      open={open}
      onClose={close}
      title="Create API token"
      description={`The token acts only in ${environment.name}, with the role you choose.`}
      submitLabel="Create API token"
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
