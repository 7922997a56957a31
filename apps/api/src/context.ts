import type { License } from '@outpost/protocol/rest/accounts';
import type { Role } from '@outpost/protocol/roles';

/** Who is calling: a signed-in person or a program with an API token. */
export type Actor =
  | { type: 'user'; id: string; label: string; sessionId: string }
  | { type: 'api_token'; id: string; label: string };

/** The environment a request acts in, and the scope every resource query filters by. */
export interface RequestEnvironment {
  id: string;
  slug: string;
  name: string;
  scopeId: string;
}

/** Resolved once per authenticated request by the access plugin. */
export interface RequestContext {
  actor: Actor;
  account: { id: string; license: License };
  role: Role;
  environment: RequestEnvironment;
}

/**
 * What a route needs. Every `/v1` route declares one in `config.access`; a route without one does
 * not start.
 * - `public`: no one needs to be signed in (sign-up, log-in).
 * - `read`: any member or API token of the account (MONITOR too).
 * - `manage`: create, change and delete resources (not MONITOR).
 * - `tokens`: show or generate a token (not MONITOR).
 * - `admin`: members, environments, API tokens, audit log (OWNER, ADMIN).
 * - `owner`: account-wide changes such as the license migration (OWNER).
 */
export type Access = 'public' | 'read' | 'manage' | 'tokens' | 'admin' | 'owner';
