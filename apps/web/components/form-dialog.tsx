'use client';

import type { ReactNode } from 'react';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';

export interface FormDialogProps {
  open: boolean;
  /** Cancel, Escape, the close button and a click on the backdrop call this. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  /** The submit button's label, e.g. Save. */
  submitLabel: string;
  /** `danger` for deleting and revoking. */
  tone?: 'primary' | 'danger';
  /** While saving: Cancel is off and the submit button spins. */
  busy: boolean;
  /** Shown above the buttons, e.g. why the save failed. */
  formError?: string;
  /** Enter and the submit button call this with the dialog's form. */
  onSubmit: (form: HTMLFormElement) => void;
  children?: ReactNode;
}

/** A dialog that is a form: its fields, the form's message, then Cancel and the submit button. */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  submitLabel,
  tone = 'primary',
  busy,
  formError,
  onSubmit,
  children,
}: FormDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      description={description}
      onSubmit={(event) => onSubmit(event.currentTarget)}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={tone} busy={busy}>
            {submitLabel}
          </Button>
        </>
      }
    >
      {children}
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
    </Dialog>
  );
}
