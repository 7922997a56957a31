'use client';

import { type License, SignupBody } from '@outpost/protocol/rest/accounts';
import Link from 'next/link';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { TextField } from '@/components/field';
import styles from './auth-form.module.css';
import { LicenseChoice } from './license-choice';
import { useAuthSubmit } from './use-auth-submit';

export function SignUpForm({ next }: { next: string | null }) {
  const [license, setLicense] = useState<License>('MULTI_ENV');
  const { submit, fieldErrors, formError, submitting } = useAuthSubmit(SignupBody, '/v1/auth/signup', next);

  return (
    <>
      <header className={styles.header}>
        <h1 className={styles.title}>Create your Outpost account</h1>
        <p className={styles.subtitle}>You will be its owner, and can invite your team afterwards.</p>
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
            accountName: String(form.get('accountName') ?? ''),
            license,
          });
        }}
      >
        <TextField
          label="Work e-mail"
          name="email"
          type="email"
          autoComplete="email"
          placeholder="you@company.com"
          error={fieldErrors.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters. A passphrase of a few words works well."
          error={fieldErrors.password}
          required
        />
        <TextField
          label="Account name"
          name="accountName"
          autoComplete="organization"
          placeholder="Acme Inc."
          hint="Usually your company or team. You can invite others to it."
          error={fieldErrors.accountName}
          required
        />
        <LicenseChoice value={license} onChange={setLicense} />
        {formError ? <Alert tone="danger">{formError}</Alert> : null}
        <Button type="submit" variant="primary" size="large" block busy={submitting}>
          {submitting ? 'Creating account…' : 'Create account'}
        </Button>
      </form>
      <p className={styles.switch}>
        Already have an account?{' '}
        <Link href={next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'}>Sign in</Link>
      </p>
    </>
  );
}
