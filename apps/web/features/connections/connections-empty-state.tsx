import type { ReactNode } from 'react';
import { EmptyState, emptyStateStyles } from '@/components/empty-state';
import { AgentIcon, CloudIcon, ConnectionIcon } from '@/components/icons';
import styles from './connections.module.css';

/** No connections yet: what one is, and the choice every connection makes, Cloud or On-premise. */
export function ConnectionsEmptyState({ createButton }: { createButton: ReactNode | undefined }) {
  return (
    <EmptyState
      icon={<ConnectionIcon size={22} />}
      title="No connections yet"
      description="A connection describes one system Outpost talks to (an HTTP API, a PostgreSQL or a MySQL database) and the credentials it uses. Exports, imports and flows use it by name."
      actions={createButton}
    >
      <ul className={`${emptyStateStyles.cards} ${styles.modes}`} aria-label="Where a connection runs">
        <li>
          <span className={styles.modeIcon}>
            <CloudIcon size={18} />
          </span>
          <span>
            <strong>Cloud</strong> (the default): Outpost connects to the system directly, over the internet.
          </span>
        </li>
        <li>
          <span className={styles.modeIcon}>
            <AgentIcon size={18} />
          </span>
          <span>
            <strong>On-premise</strong>: one of your agents connects from inside your network. Base URI{' '}
            <code>localhost</code> for a system on the agent's machine, or its host name on the agent's
            network.
          </span>
        </li>
      </ul>
      {createButton ? null : (
        <p className={styles.monitorNote}>An owner, admin or manager of the account can create one.</p>
      )}
    </EmptyState>
  );
}
