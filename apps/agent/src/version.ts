/** Replaced at bundle time with the version in apps/agent/package.json. */
declare const __AGENT_VERSION__: string | undefined;

export const AGENT_VERSION = typeof __AGENT_VERSION__ === 'string' ? __AGENT_VERSION__ : '0.0.0-dev';
