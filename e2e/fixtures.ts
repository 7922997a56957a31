import { randomUUID } from 'node:crypto';
import { type APIRequestContext, test as base, request } from '@playwright/test';
import { API_URL, PASSWORD, WEB_URL } from './env.ts';

export type License = 'MULTI_ENV' | 'LEGACY';

export interface SignedUpAccount {
  email: string;
  password: string;
  accountName: string;
  license: License;
}

export interface SignUpOptions {
  license?: License;
  accountName?: string;
}

/** A fresh e-mail address per call, so tests never share a user. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@e2e.outpost.test`;
}

/**
 * Signs a new user and account up against the API itself, as a program would; the answer is the
 * account and an API client holding its session (dispose it when done).
 */
export async function signUpOverHttp({
  license = 'MULTI_ENV',
  accountName = 'Acme Integrations',
}: SignUpOptions = {}) {
  const account: SignedUpAccount = {
    email: uniqueEmail(license.toLowerCase()),
    password: PASSWORD,
    accountName,
    license,
  };
  const api = await request.newContext({ baseURL: API_URL, extraHTTPHeaders: { 'x-outpost-client': 'e2e' } });
  const response = await api.post('/v1/auth/signup', { data: account });
  if (response.status() !== 201) {
    await api.dispose();
    throw new Error(`sign-up answered ${response.status()}: ${await response.text()}`);
  }
  return { account, api };
}

/** Adds someone to the account `api` is signed in to, over HTTP. */
export async function addMember(api: APIRequestContext, email: string, role: 'ADMIN' | 'MANAGE' | 'MONITOR') {
  const response = await api.post('/v1/members', { data: { email, role } });
  if (response.status() !== 201)
    throw new Error(`adding ${email} answered ${response.status()}: ${await response.text()}`);
}

interface Fixtures {
  /**
   * Signs up over HTTP and puts the session cookie into the browser context: the test then drives
   * the UI only for the journey it is about.
   */
  signUp: (options?: SignUpOptions) => Promise<SignedUpAccount>;
}

export const test = base.extend<Fixtures>({
  signUp: async ({ context }, use) => {
    await use(async (options) => {
      const { account, api } = await signUpOverHttp(options);
      try {
        const { cookies } = await api.storageState();
        // The browser talks to the API through the web app, so the cookie belongs to the web origin.
        await context.addCookies(
          cookies.map(({ name, value, httpOnly, sameSite }) => ({
            name,
            value,
            httpOnly,
            sameSite,
            url: WEB_URL,
          })),
        );
      } finally {
        await api.dispose();
      }
      return account;
    });
  },
});

export { expect } from '@playwright/test';
