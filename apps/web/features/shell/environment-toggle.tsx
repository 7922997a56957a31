'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useId } from 'react';
import { useMe } from '@/lib/me';
import { switchEnvironmentPath } from '@/lib/paths';
import { EnvironmentDot } from './environment-dot';
import styles from './environment-switch.module.css';

/** Legacy accounts: a two-way switch between Production and Sandbox, which share every resource. */
export function EnvironmentToggle({ current }: { current: string }) {
  const { me } = useMe();
  const pathname = usePathname();
  const router = useRouter();
  const name = useId();

  return (
    <fieldset className={styles.toggle} data-testid="environment-toggle">
      <legend className="visually-hidden">Environment</legend>
      {me.environments.map((environment) => {
        const id = `${name}-${environment.slug}`;
        return (
          <span className={styles.option} key={environment.id}>
            <input
              type="radio"
              id={id}
              name={name}
              value={environment.slug}
              checked={environment.slug === current}
              onChange={() => router.push(switchEnvironmentPath(pathname, environment.slug))}
            />
            <label htmlFor={id}>
              <EnvironmentDot slug={environment.slug} />
              {environment.name}
            </label>
          </span>
        );
      })}
    </fieldset>
  );
}
