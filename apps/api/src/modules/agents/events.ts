import { EventEmitter } from 'node:events';
import { z } from 'zod';

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

/** Carries the bus's messages between API instances (Redis pub/sub in the scale-out build). */
export interface EventRelay {
  publish(message: string): void;
  /** Calls `onMessage` for every message published by any instance, this one included. */
  subscribe(onMessage: (message: string) => void): void;
}

const RelayedEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('change'),
    type: z.enum(['changed', 'deleted']),
    scopeId: z.string().max(100),
    agentId: z.string().max(100),
  }),
  z.object({
    kind: z.literal('revocation'),
    agentId: z.string().max(100),
    reason: z.enum(['token_revoked', 'agent_deleted']),
  }),
]);

/**
 * The agent event bus: what the REST routes, the hub and the live page updates tell each other.
 * In one process it is an EventEmitter; with a relay (scale-out) every event goes through it, so
 * that every instance, this one included, hears it.
 */
export class AgentEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  constructor(private readonly relay?: EventRelay) {
    relay?.subscribe((message) => this.#receive(message));
  }

  publishChange(change: AgentChange): void {
    if (this.relay) this.relay.publish(JSON.stringify({ kind: 'change', ...change }));
    else this.#emitChange(change);
  }

  /** Calls `listener` for every change in `scopeId`; returns the unsubscribe function. */
  onChange(scopeId: string, listener: (change: AgentChange) => void): () => void {
    this.#emitter.on(`change:${scopeId}`, listener);
    return () => this.#emitter.off(`change:${scopeId}`, listener);
  }

  publishRevocation(revocation: AgentRevocation): void {
    if (this.relay) this.relay.publish(JSON.stringify({ kind: 'revocation', ...revocation }));
    else this.#emitter.emit('revocation', revocation);
  }

  onRevocation(listener: (revocation: AgentRevocation) => void): () => void {
    this.#emitter.on('revocation', listener);
    return () => this.#emitter.off('revocation', listener);
  }

  #emitChange(change: AgentChange): void {
    this.#emitter.emit(`change:${change.scopeId}`, change);
  }

  /** A relayed message; one that does not parse is dropped (it cannot come from this code). */
  #receive(message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    const parsed = RelayedEvent.safeParse(json);
    if (!parsed.success) return;
    const { kind, ...event } = parsed.data;
    if (parsed.data.kind === 'change') this.#emitChange(event as AgentChange);
    else this.#emitter.emit('revocation', event as AgentRevocation);
  }
}
