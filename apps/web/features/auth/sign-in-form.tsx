'use client';

import { LoginBody } from '@outpost/protocol/rest/accounts';
import { TextField } from '@/components/field';
import { AuthForm } from './auth-form';
import { useAuthSubmit } from './use-auth-submit';

export function SignInForm({ next }: { next: string | null }) {
  const { submit, fieldErrors, formError, submitting } = useAuthSubmit(LoginBody, '/v1/auth/login', next);

  return (
    <AuthForm
      title="Sign in to Outpost"
      subtitle="Welcome back. Your agents kept working while you were away."
      onSubmit={(form) =>
        void submit({
          email: String(form.get('email') ?? ''),
          password: String(form.get('password') ?? ''),
        })
      }
      formError={formError}
      busy={submitting}
      submitLabel="Sign in"
      busyLabel="Signing in…"
      other={{ question: 'New to Outpost?', label: 'Create an account', path: '/sign-up' }}
      next={next}
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
    </AuthForm>
  );
}
