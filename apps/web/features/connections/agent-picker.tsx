'use client';

import type { Agent } from '@outpost/protocol/rest/agents';
import type { Connection } from '@outpost/protocol/rest/connections';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ButtonLink } from '@/components/button';
import { Field } from '@/components/field';
import { AgentIcon } from '@/components/icons';
import { SelectMenu, type SelectMenuOption } from '@/components/select-menu';
import { StatusDot, type StatusTone } from '@/components/status-dot';
import { AgentStatus } from '@/features/agents/agent-status';
import { useAgentList } from '@/features/agents/use-agent-list';
import { useNow } from '@/features/agents/use-now';
import { useEnvironment } from '@/lib/environment';
import styles from './connections.module.css';
import { agentsPath } from './paths';

/** "Offline, last seen 3 min ago" is renewed this often. */
const RELATIVE_TIME_TICK_MS = 30_000;

const STATUS_TONES: Record<Agent['status'], StatusTone> = {
  online: 'online',
  offline: 'offline',
  awaiting_setup: 'pending',
};

const STATUS_WORDS: Record<Agent['status'], string> = {
  online: 'Online',
  offline: 'Offline',
  awaiting_setup: 'Awaiting setup',
};

type PickedAgent = Pick<Agent, 'id' | 'name' | 'status'> & Partial<Pick<Agent, 'hostname'>>;

/**
 * The Agent drop-down of an On-premise connection: this environment's agents with their live status
 * (the Agents page's list and event stream), and the way to Resources → Agents when there is none.
 */
export function AgentPicker({
  value,
  onChange,
  error,
  saved,
  disabled,
}: {
  value: string;
  onChange: (agentId: string) => void;
  error?: string;
  /** The saved connection's agent: shown even if it is not on the first page of agents. */
  saved?: Connection['agent'];
  disabled?: boolean;
}) {
  const environment = useEnvironment();
  const agents = useAgentList('');
  const now = useNow(RELATIVE_TIME_TICK_MS);
  const list = agents.list;

  if (list && list.items.length === 0 && !saved) {
    return (
      <div className={styles.noAgents} data-testid="no-agents">
        <span className={styles.noAgentsIcon}>
          <AgentIcon size={18} />
        </span>
        <div>
          <p className={styles.noAgentsTitle}>No agents in {environment.name} yet</p>
          <p className={styles.noAgentsText}>
            An On-premise connection runs through an agent installed on a machine inside your network. Create
            one, install it and enter its token: it appears here, Online, without reloading.
          </p>
          {error ? (
            <p className={styles.inlineError} role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <ButtonLink href={agentsPath(environment.slug)} size="small">
          Go to Resources → Agents
        </ButtonLink>
      </div>
    );
  }

  const listed: Agent[] = list?.items ?? [];
  const unlisted = saved && !listed.some((agent) => agent.id === saved.id) ? saved : undefined;
  const option = (agent: PickedAgent, status: ReactNode): SelectMenuOption => ({
    value: agent.id,
    text: agent.name,
    label: (
      <span className={styles.agentOption}>
        <span className={styles.agentName}>
          {agent.name}
          {agent.hostname ? <span className={styles.agentHost}>{agent.hostname}</span> : null}
        </span>
        {status}
      </span>
    ),
    selectedLabel: (
      <span className={styles.agentSelected}>
        <span className={styles.agentSelectedName}>{agent.name}</span>
        <StatusDot tone={STATUS_TONES[agent.status]}>{STATUS_WORDS[agent.status]}</StatusDot>
      </span>
    ),
  });
  const options = listed.map((agent) => option(agent, <AgentStatus agent={agent} now={now} />));
  if (unlisted)
    options.push(
      option(
        unlisted,
        <StatusDot tone={STATUS_TONES[unlisted.status]}>{STATUS_WORDS[unlisted.status]}</StatusDot>,
      ),
    );
  const all: PickedAgent[] = unlisted ? [...listed, unlisted] : listed;
  const picked = all.find((agent) => agent.id === value);

  return (
    <Field label="Agent" error={error} hint={pickedHint(picked)}>
      {(control) => (
        <SelectMenu
          {...control}
          label="Agents"
          value={value}
          options={options}
          onChange={onChange}
          disabled={disabled}
          placeholder={list ? 'Choose an agent' : 'Loading agents…'}
          empty="Loading agents…"
          footer={
            <span className={styles.pickerFooter}>
              <span>
                {list?.nextCursor ? (
                  <button type="button" className={styles.linkButton} onClick={agents.loadMore}>
                    Show more agents
                  </button>
                ) : (
                  `Agents of ${environment.name}`
                )}
              </span>
              <Link href={agentsPath(environment.slug)}>Resources → Agents</Link>
            </span>
          }
        />
      )}
    </Field>
  );
}

function pickedHint(agent: PickedAgent | undefined) {
  if (!agent) return 'The agent on the network of the system: it makes the requests for Outpost.';
  const where = agent.hostname ? `, on the machine ${agent.hostname}` : '';
  if (agent.status === 'online') return `Tests and requests of this connection run on ${agent.name}${where}.`;
  if (agent.status === 'offline')
    return (
      <span className={styles.warningText}>
        {agent.name} is offline: Test connection and requests fail until it is back online.
      </span>
    );
  return (
    <span className={styles.warningText}>
      {agent.name} has not connected yet: install it and enter its token (Resources → Agents).
    </span>
  );
}
