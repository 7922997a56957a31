'use client';

import type { ReactNode } from 'react';
import { EnvironmentProvider } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { EnvironmentNotFound } from './environment-not-found';
import { LegacyBanner } from './legacy-banner';

/**
 * Renders a page only for an environment of the account, and keys it by the environment: switching
 * replaces the whole page, so no state or data of the previous environment survives.
 */
export function EnvironmentGate({ slug, children }: { slug: string; children: ReactNode }) {
  const { me } = useMe();
  const environment = me.environments.find((candidate) => candidate.slug === slug);
  if (!environment) return <EnvironmentNotFound slug={slug} />;
  return (
    <EnvironmentProvider environment={environment}>
      {me.account.license === 'LEGACY' ? <LegacyBanner /> : null}
      <div key={environment.slug}>{children}</div>
    </EnvironmentProvider>
  );
}
