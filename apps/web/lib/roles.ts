import type { Role } from '@outpost/protocol/roles';

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  MANAGE: 'Manage',
  MONITOR: 'Monitor',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  OWNER: 'Everything, including billing and migrating the account',
  ADMIN: 'Members, environments, API tokens and the audit log',
  MANAGE: 'Create, change and delete resources; see tokens',
  MONITOR: 'Read-only; never sees a token',
};

/** Roles a person can be given. */
export const MEMBER_ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MANAGE', 'MONITOR'];

/** OWNER is a person's role, never a program's. */
export const API_TOKEN_ROLES: readonly Role[] = ['ADMIN', 'MANAGE', 'MONITOR'];
