import { type Flags, loadConfig, maskToken } from '../config.ts';
import { runningAgent } from '../lock.ts';
import { AGENT_VERSION } from '../version.ts';
import { EXIT_OK } from './exit-codes.ts';

/** `outpost-agent status`: where the config is, what it says (the token masked), whether an agent runs. */
export function showStatus(flags: Flags): number {
  const config = loadConfig({ flags });
  const pid = runningAgent(config.home);
  const lines = [
    ['version', AGENT_VERSION],
    ['home', config.home],
    ['config', config.configPath],
    ['url', config.url ? `${config.url.value} (from the ${config.url.source})` : 'not set'],
    [
      'token',
      config.token ? `${maskToken(config.token.value)} (from the ${config.token.source})` : 'not set',
    ],
    ['policy', describePolicy(config.policy)],
    [
      'upgrade',
      config.autoUpgrade ? 'automatic, when Outpost allows it' : 'off (autoUpgrade: false in a config file)',
    ],
    ['running', pid === null ? 'no' : `yes (pid ${pid})`],
  ];
  for (const [name, value] of lines) console.log(`${`${name}:`.padEnd(9)} ${value}`);
  return EXIT_OK;
}

function describePolicy(policy: { allow: string[]; deny: string[]; allowCloudMetadata: boolean }): string {
  const allow = policy.allow.length ? `allow ${policy.allow.join(', ')}` : 'allow all';
  const deny = policy.deny.length ? `; deny ${policy.deny.join(', ')}` : '';
  return `${allow}${deny}; cloud metadata ${policy.allowCloudMetadata ? 'allowed' : 'denied'}`;
}
