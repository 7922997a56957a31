import { z } from 'zod';

/** A member's (or an API token's) role. MONITOR is read-only and never sees a token. */
export const Role = z.enum(['OWNER', 'ADMIN', 'MANAGE', 'MONITOR']);
export type Role = z.infer<typeof Role>;

/** Create, change and delete resources (agents, connections, flows…). */
export function canManageResources(role: Role): boolean {
  return role !== 'MONITOR';
}

/** Show and generate agent and API tokens. */
export function canSeeTokens(role: Role): boolean {
  return role !== 'MONITOR';
}

/** Members, environments, API tokens and the audit log. */
export function canAdministerAccount(role: Role): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}
