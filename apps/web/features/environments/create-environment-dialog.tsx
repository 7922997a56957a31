'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { CreateEnvironmentBody } from '@outpost/protocol/rest/environments';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { TextField } from '@/components/field';
import { ApiError, errorMessage } from '@/lib/api';
import { issuesToFieldErrors } from '@/lib/form-errors';
import { useApi } from '@/lib/use-api';
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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  function close() {
    setName('');
    setSlug('');
    setSlugEdited(false);
    setErrors({});
    setFormError(undefined);
    onClose();
  }

  async function submit() {
    const parsed = CreateEnvironmentBody.safeParse({ name, slug });
    setFormError(undefined);
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onCreated(await api.post<Environment>('/v1/environments', parsed.data));
      close();
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
      open={open}
      onClose={close}
      title="Create environment"
      description="A new environment starts empty: its agents, connections, flows and API tokens are its own."
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create environment
          </Button>
        </>
      }
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
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
