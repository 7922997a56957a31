'use client';

import type { Agent, UpdateAgentBody } from '@outpost/protocol/rest/agents';
import { useState } from 'react';
import { FormDialog } from '@/components/form-dialog';
import { Switch } from '@/components/switch';
import { useApi } from '@/lib/use-api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';
import { AgentFields, agentSaveErrors, validateAgentFields } from './agent-fields';

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
  const { submit, busy, fieldErrors, formError } = useFormSubmit({ errorsOf: agentSaveErrors });

  function save() {
    const fields = { name: name.trim(), description: description.trim() };
    const checked = checkFields(validateAgentFields(fields), fields);
    // Only what changed: a rename is checked against the other names, nothing else is.
    const changes: UpdateAgentBody = {
      ...(fields.name !== agent.name ? { name: fields.name } : {}),
      ...(fields.description !== agent.description ? { description: fields.description } : {}),
      ...(autoUpgrade !== agent.autoUpgrade ? { autoUpgrade } : {}),
    };
    if ('values' in checked && Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    return submit(checked, async () => {
      onSaved(await api.patch<Agent>(`/v1/agents/${agent.id}`, changes));
      onClose();
    });
  }

  return (
    <FormDialog
      open
      onClose={() => {
        if (!busy) onClose();
      }}
      title="Edit agent"
      description="The agent keeps its token and stays connected."
      submitLabel="Save"
      busy={busy}
      formError={formError}
      onSubmit={() => void save()}
    >
      <AgentFields
        name={name}
        description={description}
        errors={fieldErrors}
        onNameChange={setName}
        onDescriptionChange={setDescription}
      />
      <Switch
        label="Auto-upgrade"
        hint="Install new agent versions by itself when Outpost has one. Turn off to upgrade by hand, e.g. in a change window."
        checked={autoUpgrade}
        onChange={setAutoUpgrade}
      />
    </FormDialog>
  );
}
