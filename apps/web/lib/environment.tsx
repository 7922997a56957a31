'use client';

import type { Environment } from '@outpost/protocol/rest/accounts';
import { createContext, type ReactNode, useContext } from 'react';

export interface EnvironmentContextValue {
  /** The environment of the URL, which every API request of the page acts in. */
  environment: Pick<Environment, 'id' | 'slug' | 'name'>;
}

const EnvironmentContext = createContext<EnvironmentContextValue | null>(null);

export function EnvironmentProvider({
  environment,
  children,
}: {
  environment: EnvironmentContextValue['environment'];
  children: ReactNode;
}) {
  return <EnvironmentContext.Provider value={{ environment }}>{children}</EnvironmentContext.Provider>;
}

export function useEnvironment(): EnvironmentContextValue['environment'] {
  const value = useContext(EnvironmentContext);
  if (!value) throw new Error('useEnvironment() outside <EnvironmentProvider>');
  return value.environment;
}
