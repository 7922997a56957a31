'use client';

import type { Me } from '@outpost/protocol/rest/accounts';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, apiRequest, errorMessage } from './api';

interface MeContextValue {
  me: Me;
  /** Loads `me` again, e.g. after creating an environment. */
  reload: () => Promise<void>;
  /** Replaces `me` with an answer the API already gave (sign-in, account switch). */
  replace: (me: Me) => void;
}

const MeContext = createContext<MeContextValue | null>(null);

export interface MeProviderProps {
  children: ReactNode;
  loading: ReactNode;
  failed: (error: ApiError, retry: () => void) => ReactNode;
}

/**
 * Loads the signed-in user, their account, role and environments once for every signed-in page.
 * Account-wide: asked without an environment, so that an unknown environment in the URL can still
 * show the app around its "not found" message. Signed out: the API client goes to sign-in.
 */
export function MeProvider({ children, loading, failed }: MeProviderProps) {
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<ApiError>();

  const reload = useCallback(async () => {
    try {
      setMe(await apiRequest<Me>('GET', '/v1/me'));
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'unknown', errorMessage(caught)));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (error && !me) return failed(error, () => void reload());
  if (!me) return loading;
  return <MeContext.Provider value={{ me, reload, replace: setMe }}>{children}</MeContext.Provider>;
}

export function useMe(): MeContextValue {
  const value = useContext(MeContext);
  if (!value) throw new Error('useMe() outside <MeProvider>');
  return value;
}
