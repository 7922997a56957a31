import type { ReactNode } from 'react';
import styles from './badge.module.css';

export type BadgeTone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger';

export function Badge({
  tone = 'neutral',
  dot = false,
  children,
}: {
  tone?: BadgeTone;
  /** A status dot before the text, e.g. for Online / Offline. */
  dot?: boolean;
  children: ReactNode;
}) {
  return <span className={[styles.badge, styles[tone], dot ? styles.dot : ''].join(' ')}>{children}</span>;
}
