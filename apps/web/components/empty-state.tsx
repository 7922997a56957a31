import type { ReactNode } from 'react';
import styles from './empty-state.module.css';

export interface EmptyStateProps {
  icon?: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
}

/** What a page shows when there is nothing yet: what the thing is and how to make the first one. */
export function EmptyState({ icon, title, description, children, actions }: EmptyStateProps) {
  return (
    <div className={styles.empty}>
      {icon ? <span className={styles.icon}>{icon}</span> : null}
      <h2 className={styles.title}>{title}</h2>
      {description ? <p className={styles.description}>{description}</p> : null}
      {children}
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </div>
  );
}

/** Class names for what goes inside an empty state (`cards`: a row of small step or choice cards; `note`: a quiet line such as who may create one). */
export const emptyStateStyles = { cards: styles.cards, note: styles.note };
