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
