import { z } from 'zod';

export const AgentStatus = z.enum(['awaiting_setup', 'online', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const AgentOs = z.enum(['windows', 'macos', 'linux']);
export type AgentOs = z.infer<typeof AgentOs>;

export const AgentName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Name is at most 100 characters');

export const AgentDescription = z.string().trim().max(500, 'Description is at most 500 characters');

export const Agent = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  status: AgentStatus,
  version: z.string().nullable(),
  hostname: z.string().nullable(),
  os: z.string().nullable(),
  arch: z.string().nullable(),
  ipAddress: z.string().nullable(),
  connectedAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  /** The token's last four characters, shown beside the masked token. */
  tokenLast4: z.string(),
  autoUpgrade: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Agent = z.infer<typeof Agent>;

export const CreateAgentBody = z.object({
  name: AgentName,
  description: AgentDescription.default(''),
});
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

export const UpdateAgentBody = z
  .object({ name: AgentName, description: AgentDescription, autoUpgrade: z.boolean() })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one of name, description, autoUpgrade');
export type UpdateAgentBody = z.infer<typeof UpdateAgentBody>;

export const AgentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
  /** Case-insensitive match on name, description or host. */
  search: z.string().trim().max(100).optional(),
});
export type AgentListQuery = z.infer<typeof AgentListQuery>;

export const AgentPage = z.object({
  items: z.array(Agent),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});
export type AgentPage = z.infer<typeof AgentPage>;

export const DownloadQuery = z.object({ os: AgentOs });
export type DownloadQuery = z.infer<typeof DownloadQuery>;

/** One install archive, as listed by `GET /v1/agent-downloads`. */
export const AgentDownload = z.object({
  os: AgentOs,
  fileName: z.string(),
  version: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
});
export type AgentDownload = z.infer<typeof AgentDownload>;

/** Live updates on `GET /v1/agents/events` (server-sent events), one per change in the scope. */
export const AgentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent.upserted'), agent: Agent }),
  z.object({ type: z.literal('agent.deleted'), agentId: z.uuid() }),
]);
export type AgentEvent = z.infer<typeof AgentEvent>;
