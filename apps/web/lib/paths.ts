/** Every signed-in page lives under its environment: `/<environment slug>/<section>/<page>`. */
export const DEFAULT_ENVIRONMENT = 'production';

export const HOME_PATH = `/${DEFAULT_ENVIRONMENT}/resources/agents`;

export function environmentPath(environment: string, rest: string): string {
  return `/${environment}/${rest.replace(/^\/+/, '')}`;
}

/**
 * The same page in another environment. Only the section and page are kept
 * (`/production/settings/members` → `/sandbox/settings/members`): anything deeper names a resource
 * of the old environment, which the new one does not have.
 */
export function switchEnvironmentPath(pathname: string, environment: string): string {
  const [, , section, page] = pathname.split('/');
  return `/${[environment, section, page].filter(Boolean).join('/')}`;
}

export function signInPath(returnTo?: string): string {
  if (!returnTo || returnTo.startsWith('/sign-')) return '/sign-in';
  return `/sign-in?next=${encodeURIComponent(returnTo)}`;
}

/** Where to go after signing in: a same-site path from `?next=`, else Production. */
export function afterSignInPath(next: string | null): string {
  if (next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-')) return next;
  return HOME_PATH;
}
