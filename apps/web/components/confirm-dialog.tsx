'use client';

import { type ReactNode, useState } from 'react';
import { errorMessage } from '@/lib/api';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';

export interface ConfirmDialogProps {
  open: boolean;
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  /** `danger` for deleting and revoking. */
  tone?: 'primary' | 'danger';
  /** May fail: the error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** Asks before something that cannot be undone; shows the failure if the action fails. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = 'primary',
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  function close() {
    if (busy) return;
    setError(undefined);
    onClose();
  }

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setBusy(false);
      onClose();
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(caught));
    }
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      onSubmit={() => void confirm()}
      footer={
        <>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={tone} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div>{children}</div>
      {error ? <Alert tone="danger">{error}</Alert> : null}
    </Dialog>
  );
}
