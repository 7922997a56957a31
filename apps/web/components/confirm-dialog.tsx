'use client';

import type { ReactNode } from 'react';
import { errorMessage } from '@/lib/api';
import { checkFields, useFormSubmit } from '@/lib/use-form-submit';
import { FormDialog } from './form-dialog';

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

/** A failed action has no fields: its message goes above the buttons. */
function actionErrors(error: unknown) {
  return { fields: {}, form: errorMessage(error) };
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
  const { submit, reset, busy, formError } = useFormSubmit({ errorsOf: actionErrors });

  function close() {
    if (busy) return;
    reset();
    onClose();
  }

  function confirm() {
    return submit(checkFields({}, undefined), async () => {
      await onConfirm();
      onClose();
    });
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title={title}
      submitLabel={confirmLabel}
      tone={tone}
      busy={busy}
      formError={formError}
      onSubmit={() => void confirm()}
    >
      <div>{children}</div>
    </FormDialog>
  );
}
