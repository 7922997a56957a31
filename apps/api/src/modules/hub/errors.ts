/** Why a request to an agent did not produce a result. */
export type HubErrorCode = 'agent_offline' | 'timeout' | 'cancelled' | 'agent_error';

export class HubError extends Error {
  override name = 'HubError';

  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** For `agent_error`: the executor's own code (`policy_denied`, `connection_refused`…). */
    readonly agentCode?: string,
  ) {
    super(message);
  }
}

/**
 * `agent_offline` before anything reached the agent: it is not (or no longer) on this instance,
 * or this instance is handing it over. Safe to retry where the agent is now.
 */
export class AgentNotHere extends HubError {
  constructor(message = 'The agent is not connected to this instance') {
    super('agent_offline', message);
  }
}
