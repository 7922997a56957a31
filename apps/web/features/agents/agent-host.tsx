import type { Agent } from '@outpost/protocol/rest/agents';
import { CellText, cellStyles } from '@/components/table';
import styles from './agents.module.css';

const OS_NAMES: Record<string, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

/** "Linux", "macOS", "Windows", or what the agent said (e.g. "freebsd"). */
export function osLabel(os: string): string {
  return OS_NAMES[os] ?? os;
}

/** The machine the agent last ran on: host name, then OS, architecture and address. */
export function AgentHost({ agent }: { agent: Agent }) {
  if (!agent.hostname) return <span className={cellStyles.muted}>Not connected yet</span>;
  const platform = [agent.os ? osLabel(agent.os) : null, agent.arch].filter(Boolean).join(' ');
  const details = [platform, agent.ipAddress].filter(Boolean).join(' · ');
  return (
    <div className={styles.nowrap} title={details || undefined}>
      <CellText primary={agent.hostname} secondary={details || undefined} />
    </div>
  );
}
