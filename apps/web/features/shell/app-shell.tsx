'use client';

import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { DEFAULT_ENVIRONMENT } from '@/lib/paths';
import styles from './app-shell.module.css';
import { SideNav } from './side-nav';
import { TopBar } from './top-bar';

/**
 * The frame of every signed-in page. It stays mounted when the environment changes, so the
 * environment switch keeps focus and only the page below is replaced.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const params = useParams<{ env?: string }>();
  const environment = params.env ?? DEFAULT_ENVIRONMENT;
  return (
    <div className={styles.app}>
      <a className={styles.skip} href="#main">
        Skip to content
      </a>
      <TopBar environment={environment} />
      <div className={styles.body}>
        <aside className={styles.aside}>
          <SideNav environment={environment} />
        </aside>
        <main className={styles.main} id="main" tabIndex={-1}>
          <div className={styles.content}>{children}</div>
        </main>
      </div>
    </div>
  );
}
