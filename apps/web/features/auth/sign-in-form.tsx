'use client';

import { LoginBody } from '@outpost/protocol/rest/accounts';
import Link from 'next/link';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { TextField } from '@/components/field';
import styles from './auth-form.module.css';
import { useAuthSubmit } from './use-auth-submit';

export function SignInForm({ next }: { next: string | null }) {
  const { submit, fieldErrors, formError, submitting } = useAuthSubmit(LoginBody, '/v1/auth/login', next);

  return (
    <>
      <header className={styles.header}>
        <h1 className={styles.title}>Sign in to Outpost</h1>
        <p className={styles.subtitle}>Welcome back. Your agents kept working while you were away.</p>
      </header>
      <form
        className={styles.form}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          void submit({
            email: String(form.get('email') ?? ''),
            password: String(form.get('password') ?? ''),
          });
        }}
      >
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          placeholder="you@company.com"
          error={fieldErrors.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={fieldErrors.password}
          required
        />
        {formError ? <Alert tone="danger">{formError}</Alert> : null}
        <Button type="submit" variant="primary" size="large" block busy={submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <p className={styles.switch}>
        New to Outpost?{' '}
        <Link href={next ? `/sign-up?next=${encodeURIComponent(next)}` : '/sign-up'}>Create an account</Link>
      </p>
    </>
  );
}
