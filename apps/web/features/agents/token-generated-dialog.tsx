'use client';

import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { SecretValue } from '@/components/secret-value';

/** After Generate token: the new token, unmasked with Copy, and where it goes. */
export function TokenGeneratedDialog({
  generated,
  onClose,
}: {
  generated: { agentName: string; token: string } | undefined;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={generated !== undefined}
      onClose={onClose}
      wide
      title="New token generated"
      description={
        generated ? `${generated.agentName} now has this token; the old one no longer works.` : undefined
      }
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      {generated ? (
        <>
          <SecretValue value={generated.token} label={`New token of ${generated.agentName}`} />
          <Alert tone="info" title="Give it to the agent">
            Enter it in the agent with <code>outpost-agent token set</code>, then start the agent again.
            Owners, admins and managers can show it again later with Show token.
          </Alert>
        </>
      ) : null}
    </Dialog>
  );
}
