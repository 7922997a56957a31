'use client';

import type { Agent, UpdateAgentBody } from '@outpost/protocol/rest/agents';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { Switch } from '@/components/switch';
import { useApi } from '@/lib/use-api';
import { AgentFields, saveErrors, validateAgentFields } from './agent-fields';

/** Rename, describe, turn auto-upgrade on or off. Mount it with a `key` per agent. */
export function EditAgentDialog({
  agent,
  onClose,
  onSaved,
}: {
  agent: Agent;
  onClose: () => void;
  onSaved: (agent: Agent) => void;
}) {
  const api = useApi();
  const [name, setName] = useState(agent.name);
  const [description, setDescription] = useState(agent.description);
  const [autoUpgrade, setAutoUpgrade] = useState(agent.autoUpgrade);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit() {
    const fields = { name: name.trim(), description: description.trim() };
    const invalid = validateAgentFields(fields);
    setErrors(invalid);
    setFormError(undefined);
    if (Object.keys(invalid).length > 0) return;
    // Only what changed: a rename is checked against the other names, nothing else is.
    const changes: UpdateAgentBody = {
      ...(fields.name !== agent.name ? { name: fields.name } : {}),
      ...(fields.description !== agent.description ? { description: fields.description } : {}),
      ...(autoUpgrade !== agent.autoUpgrade ? { autoUpgrade } : {}),
    };
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    try {
      onSaved(await api.patch<Agent>(`/v1/agents/${agent.id}`, changes));
      onClose();
    } catch (error) {
      setBusy(false);
      const { fields: fieldErrors, form } = saveErrors(error);
      setErrors(fieldErrors);
      setFormError(form);
    }
  }

  return (
    <Dialog
      open
      onClose={() => {
        if (!busy) onClose();
      }}
      title="Edit agent"
      description="The agent keeps its token and stays connected."
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
      <AgentFields
        name={name}
        description={description}
        errors={errors}
        onNameChange={setName}
        onDescriptionChange={setDescription}
      />
      <Switch
        label="Auto-upgrade"
        hint="Install new agent versions by itself when Outpost has one. Turn off to upgrade by hand, e.g. in a change window."
        checked={autoUpgrade}
        onChange={setAutoUpgrade}
      />
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
