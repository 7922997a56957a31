'use client';

import { controlClassName } from '@/components/field';
import type { AgentList } from './agent-list';
import styles from './agents.module.css';
import type { LiveState } from './use-agent-events';

const LIVE_LABELS: Record<LiveState, { text: string; title: string; className: string | undefined }> = {
  live: { text: 'Live', title: 'Status changes appear here as they happen', className: styles.isLive },
  connecting: { text: 'Connecting…', title: 'Connecting to live status updates', className: undefined },
  reconnecting: {
    text: 'Reconnecting…',
    title: 'Live status updates are interrupted; until they are back, the list reloads every minute',
    className: styles.isReconnecting,
  },
};

/** Search, how many agents there are, and whether the list is live. */
export function AgentsToolbar({
  searchText,
  onSearchTextChange,
  list,
  listSearch,
  searching,
  live,
}: {
  searchText: string;
  onSearchTextChange: (text: string) => void;
  list: AgentList;
  listSearch: string;
  searching: boolean;
  live: LiveState;
}) {
  const total = list.total.toLocaleString('en');
  const noun = list.total === 1 ? 'agent' : 'agents';
  const count = listSearch ? `${total} ${noun} match` : `${total} ${noun}`;
  return (
    <div className={styles.toolbar}>
      <input
        type="search"
        className={`${controlClassName} ${styles.search}`}
        value={searchText}
        onChange={(event) => onSearchTextChange(event.target.value)}
        placeholder="Search by name, description or host"
        aria-label="Search agents"
        aria-busy={searching || undefined}
      />
      <span className={styles.count} aria-live="polite">
        {searching ? 'Searching…' : count}
      </span>
      <span
        className={[styles.live, LIVE_LABELS[live].className].filter(Boolean).join(' ')}
        title={LIVE_LABELS[live].title}
      >
        {LIVE_LABELS[live].text}
      </span>
    </div>
  );
}
