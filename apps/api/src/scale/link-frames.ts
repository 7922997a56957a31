import { Cancel, Credit, Operation } from '@outpost/protocol/agent/frames';
import { z } from 'zod';

/**
 * The link between two API instances: the instance that got a request for an agent (the caller)
 * asks the instance that holds the agent's socket (the holder). The frames mirror the agent
 * protocol's (request, response, credit, body.end, cancel; body chunks as binary frames of the
 * same layout) plus the agent's id, and errors keep the hub's codes across the hop.
 */
const RequestId = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32 - 1);

const HubErrorCode = z.enum(['agent_offline', 'timeout', 'cancelled', 'agent_error']);

export const LinkError = z.object({
  code: HubErrorCode,
  message: z.string().max(4000),
  agentCode: z.string().max(64).optional(),
  /** Nothing reached the agent (it is not on the holder, or moving out): safe to try again. */
  notDelivered: z.boolean().optional(),
});
export type LinkError = z.infer<typeof LinkError>;

/** Caller → holder: run `op` on the agent. */
export const LinkRequest = z.object({
  type: z.literal('request'),
  id: RequestId,
  agentId: z.uuid(),
  deadline: z.number().int().positive(),
  op: Operation,
});
export type LinkRequest = z.infer<typeof LinkRequest>;

export const LinkBodyEnd = z.object({
  type: z.literal('body.end'),
  id: RequestId,
  error: LinkError.optional(),
});
export type LinkBodyEnd = z.infer<typeof LinkBodyEnd>;

export const LinkResponse = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('response'),
    id: RequestId,
    ok: z.literal(true),
    result: z.unknown(),
    streamsBody: z.boolean().optional(),
  }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: LinkError }),
]);
export type LinkResponse = z.infer<typeof LinkResponse>;

/** What a holder accepts from a caller. */
export const CallerFrame = z.discriminatedUnion('type', [LinkRequest, Cancel, Credit, LinkBodyEnd]);
export type CallerFrame = z.infer<typeof CallerFrame>;

/**
 * Holder → caller, when the holder shuts down: send nothing new on this link; close it once every
 * request in flight has its answer (so that none is lost to a link closed under it).
 */
export const LinkGoAway = z.object({ type: z.literal('goaway') });

/** What a caller accepts from a holder. */
export const HolderFrame = z.discriminatedUnion('type', [LinkResponse, Credit, LinkBodyEnd, LinkGoAway]);
export type HolderFrame = z.infer<typeof HolderFrame>;

/** The path of the link's WebSocket on every instance; not part of the public API. */
export const LINK_PATH = '/internal/link';
/** Close code of a link that broke the protocol: that link closes, nothing else. */
export const LINK_PROTOCOL_ERROR = 4004;
