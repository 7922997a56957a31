import type { ReactNode } from 'react';
import styles from './status-dot.module.css';

export type StatusTone = 'online' | 'offline' | 'pending';

/** A coloured dot before a short status text: Online, Offline, Awaiting setup. */
export function StatusDot({
  tone,
  children,
  title,
}: {
  tone: StatusTone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`${styles.status} ${styles[tone]}`} title={title}>
      {children}
    </span>
  );
}
