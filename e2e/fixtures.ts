import { randomUUID } from 'node:crypto';
import { test as base, request } from '@playwright/test';
import { API_URL, PASSWORD, WEB_URL } from './env.ts';

export type License = 'MULTI_ENV' | 'LEGACY';

export interface SignedUpAccount {
  email: string;
  password: string;
  accountName: string;
  license: License;
}

/** A fresh e-mail address per call, so tests never share a user. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@e2e.outpost.test`;
}

interface Fixtures {
  /**
   * Signs up over HTTP and puts the session cookie into the browser context: the test then drives
   * the UI only for the journey it is about.
   */
  signUp: (options?: { license?: License; accountName?: string }) => Promise<SignedUpAccount>;
}

export const test = base.extend<Fixtures>({
  signUp: async ({ context }, use) => {
    await use(async ({ license = 'MULTI_ENV', accountName = 'Acme Integrations' } = {}) => {
      const account = { email: uniqueEmail(license.toLowerCase()), password: PASSWORD, accountName, license };
      const api = await request.newContext({
        baseURL: API_URL,
        extraHTTPHeaders: { 'x-outpost-client': 'e2e' },
      });
      try {
        const response = await api.post('/v1/auth/signup', { data: account });
        if (response.status() !== 201) {
          throw new Error(`sign-up answered ${response.status()}: ${await response.text()}`);
        }
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
