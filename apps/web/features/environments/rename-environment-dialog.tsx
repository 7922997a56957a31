'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { UpdateEnvironmentBody } from '@outpost/protocol/rest/environments';
import { useState } from 'react';
import { TextField } from '@/components/field';
import { FormDialog } from '@/components/form-dialog';
import { useApi } from '@/lib/use-api';
import { checkSchema, useFormSubmit } from '@/lib/use-form-submit';

/** Rename: the slug stays, so links and API clients keep working. Mount it with a `key` per environment. */
export function RenameEnvironmentDialog({
  environment,
  onClose,
  onRenamed,
}: {
  environment: Environment;
  onClose: () => void;
  onRenamed: (environment: Environment) => void;
}) {
  const api = useApi();
  const [name, setName] = useState(environment.name);
  const { submit, busy, fieldErrors, formError } = useFormSubmit();

  function save() {
    return submit(checkSchema(UpdateEnvironmentBody, { name }), async (values) => {
      onRenamed(await api.patch<Environment>(`/v1/environments/${environment.id}`, values));
      onClose();
    });
  }

  return (
    <FormDialog
      open
      onClose={onClose}
      title={`Rename ${environment.name}`}
      description={`Its slug, ${environment.slug}, stays: links and API clients keep working.`}
      submitLabel="Rename"
      busy={busy}
      formError={formError}
      onSubmit={() => void save()}
    >
      <TextField
        label="Name"
        name="name"
        value={name}
        autoComplete="off"
        error={fieldErrors.name}
        onChange={(event) => setName(event.target.value)}
        autoFocus
      />
    </FormDialog>
  );
}
