import type { AgentStatus } from '@outpost/protocol/rest/agents';
import { StatusDot, type StatusTone } from '@/components/status-dot';
import styles from './connections.module.css';

const TONES: Record<AgentStatus, StatusTone> = {
  online: 'online',
  offline: 'offline',
  awaiting_setup: 'pending',
};
const WORDS: Record<AgentStatus, string> = {
  online: 'Online',
  offline: 'Offline',
  awaiting_setup: 'Awaiting setup',
};

/** An On-premise connection's agent: its name after a live status dot, and the status in words. */
export function AgentCell({ name, status }: { name: string; status: AgentStatus }) {
  return (
    <StatusDot tone={TONES[status]}>
      <span className={styles.agentCell}>
        <span className={styles.agentCellName}>{name}</span>
        <span className={styles.agentCellStatus}>{WORDS[status]}</span>
      </span>
    </StatusDot>
  );
}
