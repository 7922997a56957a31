'use client';

import Link from 'next/link';
import { LogoIcon } from '@/components/icons';
import { environmentPath } from '@/lib/paths';
import { AccountSwitcher } from './account-switcher';
import { EnvironmentSwitch } from './environment-switch';
import styles from './top-bar.module.css';
import { UserMenu } from './user-menu';

export function TopBar({ environment }: { environment: string }) {
  return (
    <header className={styles.bar}>
      <Link className={styles.brand} href={environmentPath(environment, 'resources/agents')}>
        <span className={styles.logo}>
          <LogoIcon size={17} />
        </span>
        Outpost
      </Link>
      <span className={styles.divider} aria-hidden="true" />
      <AccountSwitcher />
      <EnvironmentSwitch current={environment} />
      <span className={styles.spacer} />
      <UserMenu />
    </header>
  );
}
