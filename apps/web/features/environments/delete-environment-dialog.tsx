'use client';

import type { EnvironmentUsage } from '@outpost/protocol/rest/environments';
import { Alert } from '@/components/alert';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { useApi } from '@/lib/use-api';
import { heldResources } from './usage';

/**
 * Asks before deleting an environment, naming what goes with it: an empty one is deleted as it is;
 * one that holds resources only with them (cascade), and the dialog counts them per type.
 */
export function DeleteEnvironmentDialog({
  usage,
  onClose,
  onDeleted,
}: {
  usage: EnvironmentUsage;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const api = useApi();
  const { environment } = usage;
  const held = heldResources(usage.counts);
  const cascade = held.length > 0;

  async function remove() {
    await api.delete(`/v1/environments/${environment.id}${cascade ? '?cascade=true' : ''}`);
    onDeleted();
  }

  return (
    <ConfirmDialog
      open
      title={`Delete ${environment.name}?`}
      confirmLabel={
        cascade ? `Delete ${environment.name} and everything in it` : `Delete ${environment.name}`
      }
      tone="danger"
      onConfirm={remove}
      onClose={onClose}
    >
      {cascade ? (
        <div data-testid="environment-delete-contents">
          <p>{environment.name} is not empty. Deleting it also deletes, for good:</p>
          <ul>
            {held.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {usage.counts.agents > 0 ? (
            <p>Its agents are disconnected at once and their tokens stop working.</p>
          ) : null}
          {usage.activeRuns > 0 ? (
            <Alert tone="warning">
              {usage.activeRuns === 1 ? 'A flow run is' : `${usage.activeRuns} flow runs are`} queued or
              running: cancel {usage.activeRuns === 1 ? 'it' : 'them'} first.
            </Alert>
          ) : null}
        </div>
      ) : (
        <p>
          {environment.name} is empty. Its address, <code>/{environment.slug}</code>, stops working.
        </p>
      )}
    </ConfirmDialog>
  );
}
