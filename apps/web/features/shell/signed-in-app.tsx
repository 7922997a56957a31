'use client';

import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { LoadingState } from '@/components/loading-state';
import { ToastProvider } from '@/components/toast';
import { MeProvider } from '@/lib/me';
import { AppShell } from './app-shell';
import styles from './app-shell.module.css';

/** Everything a signed-in page needs: who is signed in, toasts and the frame. */
export function SignedInApp({ children }: { children: ReactNode }) {
  return (
    <ToastProvider>
      <MeProvider
        loading={
          <div className={styles.fullPage}>
            <div className={styles.fullPageCard}>
              <LoadingState label="Loading your account…" />
            </div>
          </div>
        }
        failed={(error, retry) => (
          <div className={styles.fullPage}>
            <div className={styles.fullPageCard}>
              <Alert
                tone="danger"
                title="Outpost could not load your account"
                action={
                  <Button size="small" onClick={retry}>
                    Try again
                  </Button>
                }
              >
                {error.message}
              </Alert>
            </div>
          </div>
        )}
      >
        <AppShell>{children}</AppShell>
      </MeProvider>
    </ToastProvider>
  );
}
