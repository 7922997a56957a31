import { EventEmitter } from 'node:events';

/** An agent was created, changed (fields or presence) or deleted in a scope. */
export interface AgentChange {
  type: 'changed' | 'deleted';
  scopeId: string;
  agentId: string;
}

/** An agent's token stopped being valid: its live session must close, wherever it is. */
export interface AgentRevocation {
  agentId: string;
  reason: 'token_revoked' | 'agent_deleted';
}

/**
 * The agent event bus: what the REST routes, the hub and the live page updates tell each other.
 * In one process it is an EventEmitter; the scale-out build relays the same events through Redis.
 */
export class AgentEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  publishChange(change: AgentChange): void {
    this.#emitter.emit(`change:${change.scopeId}`, change);
  }

  /** Calls `listener` for every change in `scopeId`; returns the unsubscribe function. */
  onChange(scopeId: string, listener: (change: AgentChange) => void): () => void {
    this.#emitter.on(`change:${scopeId}`, listener);
    return () => this.#emitter.off(`change:${scopeId}`, listener);
  }

  publishRevocation(revocation: AgentRevocation): void {
    this.#emitter.emit('revocation', revocation);
  }

  onRevocation(listener: (revocation: AgentRevocation) => void): () => void {
    this.#emitter.on('revocation', listener);
    return () => this.#emitter.off('revocation', listener);
  }
}
