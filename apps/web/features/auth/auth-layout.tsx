import Link from 'next/link';
import type { ReactNode } from 'react';
import { CheckIcon, LogoIcon } from '@/components/icons';
import styles from './auth-layout.module.css';

const POINTS = [
  'Connect cloud apps with databases and APIs inside your private network.',
  'The agent dials out: nothing in your network is exposed to the internet.',
  'Production, Sandbox and as many environments as you need.',
];

/** Sign-in and sign-up: the product on the left, the form on the right. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className={styles.page}>
      <aside className={styles.aside}>
        <Link className={styles.brand} href="/">
          <span className={styles.logo}>
            <LogoIcon size={19} />
          </span>
          Outpost
        </Link>
        <div className={styles.pitch}>
          <p className={styles.headline}>Integrations that reach behind your firewall.</p>
          <p className={styles.lede}>
            Run exports, imports and flows in the cloud, and let an on-premise agent carry them to the systems
            that never leave your network.
          </p>
          <ul className={styles.points}>
            {POINTS.map((point) => (
              <li key={point}>
                <CheckIcon size={16} />
                {point}
              </li>
            ))}
          </ul>
        </div>
        <p className={styles.footnote}>Open source · Self-hosted</p>
      </aside>
      <main className={styles.main}>
        <div className={styles.card}>{children}</div>
      </main>
    </div>
  );
}
