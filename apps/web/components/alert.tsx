import type { ReactNode } from 'react';
import styles from './alert.module.css';
import { CheckIcon, InfoIcon, WarningIcon } from './icons';

export type AlertTone = 'info' | 'warning' | 'danger' | 'success';

const ICONS = { info: InfoIcon, warning: WarningIcon, danger: WarningIcon, success: CheckIcon };

export interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children: ReactNode;
  /** Extra content on the right, e.g. a "Try again" button. */
  action?: ReactNode;
  className?: string;
  'data-testid'?: string;
}

/** A message in the flow of the page. Errors are announced at once (`alert`), the rest politely (`status`). */
export function Alert({ tone = 'info', title, children, action, className, ...rest }: AlertProps) {
  const Icon = ICONS[tone];
  return (
    <div
      role={tone === 'danger' ? 'alert' : 'status'}
      className={[styles.alert, styles[tone], className].filter(Boolean).join(' ')}
      {...rest}
    >
      <Icon className={styles.icon} size={16} />
      <div className={styles.content}>
        {title ? <p className={styles.title}>{title}</p> : null}
        <div>{children}</div>
      </div>
      {action}
    </div>
  );
}
