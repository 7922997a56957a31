'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import styles from './auth-form.module.css';

export interface AuthFormProps {
  title: string;
  subtitle: string;
  /** The fields, by name: `onSubmit` reads them from the form's data. */
  children: ReactNode;
  onSubmit: (form: FormData) => void;
  formError?: string;
  busy: boolean;
  submitLabel: string;
  /** The button's label while busy, e.g. "Signing in…". */
  busyLabel: string;
  /** Under the form: "New to Outpost? Create an account", keeping `?next=`. */
  other: { question: string; label: string; path: '/sign-in' | '/sign-up' };
  next: string | null;
}

/** A sign-in or sign-up page: heading, fields, the form's message, the big button and the way to the other one. */
export function AuthForm({
  title,
  subtitle,
  children,
  onSubmit,
  formError,
  busy,
  submitLabel,
  busyLabel,
  other,
  next,
}: AuthFormProps) {
  return (
    <>
      <header className={styles.header}>
        <h1 className={styles.title}>{title}</h1>
        <p className={styles.subtitle}>{subtitle}</p>
      </header>
      <form
        className={styles.form}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit(new FormData(event.currentTarget));
        }}
      >
        {children}
        {formError ? <Alert tone="danger">{formError}</Alert> : null}
        <Button type="submit" variant="primary" size="large" block busy={busy}>
          {busy ? busyLabel : submitLabel}
        </Button>
      </form>
      <p className={styles.switch}>
        {other.question}{' '}
        <Link href={next ? `${other.path}?next=${encodeURIComponent(next)}` : other.path}>{other.label}</Link>
      </p>
    </>
  );
}
