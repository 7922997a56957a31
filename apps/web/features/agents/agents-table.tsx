'use client';

import type { Agent, AgentDownload } from '@outpost/protocol/rest/agents';
import { MenuItem, MenuSeparator } from '@/components/menu';
import { RowActions } from '@/components/row-actions';
import { CellText, cellStyles, Table } from '@/components/table';
import { type RevealedTokens, TokenCell } from '@/components/token-cell';
import { AgentHost } from './agent-host';
import { AgentStatus } from './agent-status';
import styles from './agents.module.css';
import { DownloadMenu } from './download-menu';
import { useNow } from './use-now';

/** "Offline, last seen 3 minutes ago" is renewed this often. */
const RELATIVE_TIME_TICK_MS = 30_000;

export interface AgentRowActions {
  onEdit: (agent: Agent) => void;
  onGenerateToken: (agent: Agent) => void;
  onDelete: (agent: Agent) => void;
}

export function AgentsTable({
  agents,
  downloads,
  tokens,
  actions,
  highlighted,
}: {
  agents: Agent[];
  downloads: AgentDownload[] | undefined;
  /** Without it (MONITOR) there is no Token column. */
  tokens: { state: RevealedTokens; onShow: (agent: Agent) => void } | undefined;
  /** Without them (MONITOR) there is no Actions column. */
  actions: AgentRowActions | undefined;
  /** The agent just created, marked for a moment. */
  highlighted: string | undefined;
}) {
  const now = useNow(RELATIVE_TIME_TICK_MS);
  return (
    <div className={styles.compact}>
      <Table label="Agents">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Version</th>
            <th scope="col">Host</th>
            <th scope="col">Install</th>
            {tokens ? <th scope="col">Token</th> : null}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr
              key={agent.id}
              data-testid={`agent-${agent.name}`}
              data-status={agent.status}
              className={agent.id === highlighted ? styles.highlighted : undefined}
            >
              <td>
                <div className={styles.name}>
                  <CellText primary={agent.name} secondary={agent.description || undefined} />
                </div>
              </td>
              <td>
                <AgentStatus agent={agent} now={now} />
              </td>
              <td className={styles.nowrap}>
                {agent.version ? (
                  <span
                    title={agent.autoUpgrade ? 'Auto-upgrade is on' : 'Auto-upgrade is off: upgraded by hand'}
                  >
                    <CellText
                      primary={<span className={cellStyles.mono}>{agent.version}</span>}
                      secondary={agent.autoUpgrade ? undefined : 'Pinned'}
                    />
                  </span>
                ) : (
                  <span className={cellStyles.muted}>—</span>
                )}
              </td>
              <td>
                <AgentHost agent={agent} />
              </td>
              <td>
                <DownloadMenu agentId={agent.id} agentName={agent.name} downloads={downloads} />
              </td>
              {tokens ? (
                <td>
                  <TokenCell
                    name={agent.name}
                    last4={agent.tokenLast4}
                    revealed={tokens.state.revealed[agent.id]}
                    loading={tokens.state.revealing === agent.id}
                    onShow={() => tokens.onShow(agent)}
                    onHide={() => tokens.state.hide(agent.id)}
                    fit
                  />
                </td>
              ) : null}
              {actions ? (
                <td>
                  <RowActions name={agent.name}>
                    <MenuItem onSelect={() => actions.onEdit(agent)}>Edit</MenuItem>
                    <MenuItem onSelect={() => actions.onGenerateToken(agent)}>Generate token</MenuItem>
                    <MenuSeparator />
                    <MenuItem tone="danger" onSelect={() => actions.onDelete(agent)}>
                      Delete
                    </MenuItem>
                  </RowActions>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
