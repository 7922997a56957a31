'use client';

import type { AgentStatus } from '@outpost/protocol/rest/agents';
import { useCallback, useState } from 'react';
import { type LiveState, useAgentEvents } from '@/features/agents/use-agent-events';

/**
 * The agents' statuses as the Agents page's event stream reports them, for connections that show
 * their agent: a status from an event wins over the one the connection list was loaded with. Every
 * (re)connection of the stream calls `reload`, since events missed meanwhile are not sent again.
 */
export function useLiveAgentStatuses(reload: () => void): {
  statusOf: (agent: { id: string; status: AgentStatus }) => AgentStatus;
  live: LiveState;
} {
  const [statuses, setStatuses] = useState<ReadonlyMap<string, AgentStatus>>(new Map());
  const live = useAgentEvents({
    onEvent: (event) => {
      if (event.type !== 'agent.upserted') return;
      setStatuses((current) => new Map(current).set(event.agent.id, event.agent.status));
    },
    onOpen: () => {
      setStatuses(new Map());
      reload();
    },
  });
  const statusOf = useCallback(
    (agent: { id: string; status: AgentStatus }) => statuses.get(agent.id) ?? agent.status,
    [statuses],
  );
  return { statusOf, live };
}
