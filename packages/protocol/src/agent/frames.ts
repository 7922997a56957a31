import { z } from 'zod';

/**
 * The agent wire protocol: JSON text frames keyed by `type`, and binary frames for body chunks
 * (see PROTOCOL.md). The hub accepts this version and the one before it.
 */
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;

/** Largest frame either side accepts; bodies bigger than this stream in chunks. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Body bytes a receiver lets a sender have in flight per request before it grants more credit. */
export const INITIAL_STREAM_CREDIT = 1024 * 1024;
export const MAX_CHUNK_BYTES = 256 * 1024;

const RequestId = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32 - 1);
const ShortText = z.string().max(200);
/** Text the hub stores (PostgreSQL text cannot hold NUL): a NUL is refused as a protocol error. */
const StoredText = ShortText.regex(/^[^\0]*$/, 'no NUL characters');

/** Agent → hub, first frame: who is connecting. */
export const Hello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int().min(0).max(1000),
  agent: z.object({
    version: StoredText,
    os: StoredText,
    arch: StoredText,
    hostname: StoredText,
    machineId: StoredText,
    pid: z.number().int().min(0),
    nodeVersion: StoredText,
  }),
});
export type Hello = z.infer<typeof Hello>;

/** Hub → agent, answer to `hello`. */
export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  agentId: z.uuid(),
  sessionId: z.uuid(),
  heartbeatMs: z.number().int().positive(),
  latestVersion: ShortText,
  /** Whether this agent may upgrade itself when `latestVersion` is newer. */
  autoUpgrade: z.boolean(),
  /** Where to fetch the bundle of `latestVersion` (optional: older hubs leave it out). */
  upgrade: z
    .object({
      version: ShortText,
      /** SHA-256 of the bundle, lowercase hex: the agent refuses a download that differs. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /** Path on the hub's own origin, fetched with the agent token: `/v1/agent/bundle`. */
      path: z
        .string()
        .max(200)
        .regex(/^(\/[\w-]+)+$/),
    })
    .optional(),
});
export type Welcome = z.infer<typeof Welcome>;

/** An operation for an executor: `kind` names it, `input` is validated by that executor. */
export const Operation = z.object({
  kind: z.string().min(1).max(64),
  input: z.unknown(),
  /** True when the request body follows in binary chunk frames. */
  streamsBody: z.boolean().optional(),
});
export type Operation = z.infer<typeof Operation>;

/** Hub → agent: run an operation before `deadline` (epoch milliseconds). */
export const Request = z.object({
  type: z.literal('request'),
  id: RequestId,
  deadline: z.number().int().positive(),
  op: Operation,
});
export type Request = z.infer<typeof Request>;

export const OperationError = z.object({
  code: z.string().max(64),
  message: z.string().max(4000),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type OperationError = z.infer<typeof OperationError>;

/** Agent → hub: the outcome. A result may announce a body that follows in chunk frames. */
export const Response = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('response'),
    id: RequestId,
    ok: z.literal(true),
    result: z.unknown(),
    streamsBody: z.boolean().optional(),
  }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: OperationError }),
]);
export type Response = z.infer<typeof Response>;

/** Hub → agent: stop working on a request; no response is expected after it. */
export const Cancel = z.object({ type: z.literal('cancel'), id: RequestId });
export type Cancel = z.infer<typeof Cancel>;

/** Either side: the receiver of a body grants the sender `bytes` more of it. */
export const Credit = z.object({
  type: z.literal('credit'),
  id: RequestId,
  bytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024),
});
export type Credit = z.infer<typeof Credit>;

/** Either side: the body of a request or response ended, or failed. */
export const BodyEnd = z.object({
  type: z.literal('body.end'),
  id: RequestId,
  error: OperationError.optional(),
});
export type BodyEnd = z.infer<typeof BodyEnd>;

/** Either side, just before closing: why. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(4000),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** Hub → agent: this instance is going away; reconnect after the delay (jittered by the agent). */
export const GoAway = z.object({
  type: z.literal('goaway'),
  reason: ShortText,
  reconnectAfterMs: z.number().int().min(0).max(600_000),
});
export type GoAway = z.infer<typeof GoAway>;

/** Frames the hub accepts from an agent. */
export const AgentFrame = z.discriminatedUnion('type', [Hello, Response, Credit, BodyEnd, ErrorFrame]);
export type AgentFrame = z.infer<typeof AgentFrame>;

/** Frames an agent accepts from the hub. */
export const HubFrame = z.discriminatedUnion('type', [
  Welcome,
  Request,
  Cancel,
  Credit,
  BodyEnd,
  ErrorFrame,
  GoAway,
]);
export type HubFrame = z.infer<typeof HubFrame>;
