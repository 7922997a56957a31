'use client';

import type { Agent, AgentOs } from '@outpost/protocol/rest/agents';
import { useState } from 'react';
import { Button, buttonClassName } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { FormDialog } from '@/components/form-dialog';
import { ImportIcon } from '@/components/icons';
import { useEnvironment } from '@/lib/environment';
import { useApi } from '@/lib/use-api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';
import { AgentFields, agentSaveErrors, validateAgentFields } from './agent-fields';
import { osLabel } from './agent-host';
import styles from './agents.module.css';
import { downloadHref } from './download-menu';

/**
 * + Create agent: "Name your agent and add a description", Save. The agent's token is generated
 * with it. Opened from a download (`downloadOs`), the dialog then offers that download.
 */
export function CreateAgentDialog({
  open,
  downloadOs,
  onClose,
  onCreated,
}: {
  open: boolean;
  downloadOs?: AgentOs;
  onClose: () => void;
  onCreated: (agent: Agent) => void;
}) {
  const api = useApi();
  const environment = useEnvironment();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<Agent>();
  const { submit, reset, busy, fieldErrors, formError } = useFormSubmit({ errorsOf: agentSaveErrors });

  function close() {
    if (busy) return;
    setName('');
    setDescription('');
    reset();
    setCreated(undefined);
    onClose();
  }

  function save() {
    const fields = { name: name.trim(), description: description.trim() };
    return submit(checkFields(validateAgentFields(fields), fields), async (values) => {
      const agent = await api.post<Agent>('/v1/agents', values);
      onCreated(agent);
      if (downloadOs) setCreated(agent);
      else {
        setName('');
        setDescription('');
        onClose();
      }
    });
  }

  if (created && downloadOs) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title={`${created.name} is ready to install`}
        description="Your agent now appears on the list, with its token."
        footer={
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        }
      >
        <ol className={styles.steps}>
          <li>
            <a
              href={downloadHref(created.id, downloadOs)}
              download
              className={buttonClassName({ size: 'small' })}
            >
              <ImportIcon size={14} />
              Download for {osLabel(downloadOs)}
            </a>{' '}
            and install it on a machine inside your network.
          </li>
          <li>In the list, Show token and Copy it, then enter it in the agent.</li>
        </ol>
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Create agent"
      description={
        downloadOs
          ? `Name your agent and add a description. The ${osLabel(downloadOs)} download follows.`
          : `Name your agent and add a description. It serves ${environment.name}; its token is generated when you save.`
      }
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
    </FormDialog>
  );
}
