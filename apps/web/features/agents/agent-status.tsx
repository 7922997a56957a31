import type { Agent } from '@outpost/protocol/rest/agents';
import { formatDateTime } from '@/lib/format';
import styles from './agent-status.module.css';
import { lastSeen } from './last-seen';

/**
 * A coloured dot and what it means: Online; Offline, last seen 3 minutes ago; Awaiting setup.
 * `now` comes from the table, which renews it, so that "3 minutes ago" keeps counting.
 */
export function AgentStatus({ agent, now }: { agent: Agent; now: number }) {
  if (agent.status === 'online') {
    return (
      <span
        className={`${styles.status} ${styles.online}`}
        title={agent.connectedAt ? `Connected since ${formatDateTime(agent.connectedAt)}` : undefined}
      >
        Online
      </span>
    );
  }
  if (agent.status === 'offline') {
    return (
      <span className={`${styles.status} ${styles.offline}`}>
        Offline
        {agent.lastSeenAt ? (
          <span className={styles.detail}>
            <span className="visually-hidden">, </span>last seen{' '}
            <time dateTime={agent.lastSeenAt} title={formatDateTime(agent.lastSeenAt)}>
              {lastSeen(agent.lastSeenAt, now)}
            </time>
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span
      className={`${styles.status} ${styles.awaiting}`}
      title="Not connected yet: install the agent and enter its token"
    >
      Awaiting setup
    </span>
  );
}
