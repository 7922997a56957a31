import { AgentNotHere, HubError } from '../modules/hub/errors.ts';
import type { LinkError } from './link-frames.ts';

/** A hub error as it crosses the link; anything else becomes `agent_error`. */
export function toLinkError(error: unknown): LinkError {
  if (error instanceof HubError)
    return {
      code: error.code,
      message: error.message.slice(0, 4000),
      ...(error.agentCode ? { agentCode: error.agentCode.slice(0, 64) } : {}),
      ...(error instanceof AgentNotHere ? { notDelivered: true } : {}),
    };
  return {
    code: 'agent_error',
    message: (error instanceof Error ? error.message : String(error)).slice(0, 4000),
  };
}

/** The same error on the caller's side. */
export function fromLinkError(error: LinkError): HubError {
  if (error.notDelivered) return new AgentNotHere(error.message);
  return new HubError(error.code, error.message, error.agentCode);
}
