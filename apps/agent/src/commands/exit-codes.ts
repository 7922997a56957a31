export { EXIT_FINAL, EXIT_RESTART } from '../supervisor.ts';

export const EXIT_OK = 0;
/** Another agent holds the lock, or a service command failed. */
export const EXIT_FAILED = 1;
/** Bad command line or configuration: no URL, no or malformed token, an invalid config file. */
export const EXIT_USAGE = 2;

export const TOKEN_HELP =
  'Copy it from Outpost → Resources → Agents → Show token → Copy, then run `outpost-agent token set` (or pass --token, or set OUTPOST_AGENT_TOKEN)';
