'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { CreateEnvironmentBody } from '@outpost/protocol/rest/environments';
import { useState } from 'react';
import { TextField } from '@/components/field';
import { FormDialog } from '@/components/form-dialog';
import { useApi } from '@/lib/use-api';
import { checkSchema, useFormSubmit } from '@/lib/use-form-submit';
import { slugFromName } from './slug';

export function CreateEnvironmentDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (environment: Environment) => void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const { submit, reset, busy, fieldErrors: errors, formError } = useFormSubmit();

  function close() {
    setName('');
    setSlug('');
    setSlugEdited(false);
    reset();
    onClose();
  }

  function save() {
    return submit(checkSchema(CreateEnvironmentBody, { name, slug }), async (values) => {
      onCreated(await api.post<Environment>('/v1/environments', values));
      close();
    });
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Create environment"
      description="A new environment starts empty: its agents, connections, flows and API tokens are its own."
      submitLabel="Create environment"
      busy={busy}
      formError={formError}
      onSubmit={() => void save()}
    >
      <TextField
        label="Name"
        name="name"
        value={name}
        placeholder="Staging"
        autoComplete="off"
        error={errors.name}
        onChange={(event) => {
          setName(event.target.value);
          if (!slugEdited) setSlug(slugFromName(event.target.value));
        }}
        autoFocus
      />
      <TextField
        label="Slug"
        name="slug"
        value={slug}
        placeholder="staging"
        autoComplete="off"
        spellCheck={false}
        error={errors.slug}
        hint="In the address of every page of the environment, and in the X-Outpost-Environment header. It cannot be changed later."
        onChange={(event) => {
          setSlug(event.target.value);
          setSlugEdited(true);
        }}
      />
    </FormDialog>
  );
}
