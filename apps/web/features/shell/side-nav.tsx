'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { environmentPath } from '@/lib/paths';
import { NAVIGATION } from './navigation';
import styles from './side-nav.module.css';

/** Resources and Account settings of the environment in the URL. */
export function SideNav({ environment }: { environment: string }) {
  const pathname = usePathname();
  return (
    <nav className={styles.nav} aria-label="Main">
      {NAVIGATION.map((section) => (
        <div key={section.label}>
          <h2 className={styles.heading}>{section.label}</h2>
          <ul className={styles.list}>
            {section.items.map(({ label, path, icon: Icon }) => {
              const href = environmentPath(environment, path);
              const current = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <li key={path}>
                  <Link className={styles.link} href={href} aria-current={current ? 'page' : undefined}>
                    <Icon size={17} />
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
