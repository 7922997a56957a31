'use client';

import { type License, SignupBody } from '@outpost/protocol/rest/accounts';
import { useState } from 'react';
import { TextField } from '@/components/field';
import { AuthForm } from './auth-form';
import { LicenseChoice } from './license-choice';
import { useAuthSubmit } from './use-auth-submit';

export function SignUpForm({ next }: { next: string | null }) {
  const [license, setLicense] = useState<License>('MULTI_ENV');
  const { submit, fieldErrors, formError, submitting } = useAuthSubmit(SignupBody, '/v1/auth/signup', next);

  return (
    <AuthForm
      title="Create your Outpost account"
      subtitle="You will be its owner, and can invite your team afterwards."
      onSubmit={(form) =>
        void submit({
          email: String(form.get('email') ?? ''),
          password: String(form.get('password') ?? ''),
          accountName: String(form.get('accountName') ?? ''),
          license,
        })
      }
      formError={formError}
      busy={submitting}
      submitLabel="Create account"
      busyLabel="Creating account…"
      other={{ question: 'Already have an account?', label: 'Sign in', path: '/sign-in' }}
      next={next}
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
    </AuthForm>
  );
}
