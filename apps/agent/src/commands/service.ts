import { isWellFormedToken } from '@outpost/protocol/tokens';
import { type Flags, loadConfig, readEnvironment, thisMachine, updateConfigFile } from '../config.ts';
import {
  needsRoot,
  ROOT_NEEDED,
  runServiceAction,
  SERVICE_ACTIONS,
  type ServiceAction,
} from '../service/index.ts';
import { EXIT_FAILED, EXIT_USAGE, TOKEN_HELP } from './exit-codes.ts';

/**
 * `outpost-agent service install|uninstall|start|stop|status`. Install first writes the URL and the
 * token this command sees (flags, environment, files) into the agent home's config file, so that
 * the service finds exactly the configuration it was installed with.
 */
export function serviceCommand(action: string | undefined, flags: Flags, bundlePath: string): number {
  if (!action || !SERVICE_ACTIONS.includes(action as ServiceAction)) {
    console.error(`Usage: outpost-agent service ${SERVICE_ACTIONS.join('|')}`);
    return EXIT_USAGE;
  }
  if (flags.config) {
    console.error('The service reads the config file in the agent home; install it without --config.');
    return EXIT_USAGE;
  }
  if (needsRoot(action as ServiceAction, thisMachine.platform) && !thisMachine.isRoot) {
    console.error(`${ROOT_NEEDED}: run it with sudo`);
    return EXIT_FAILED;
  }
  const config = loadConfig({ flags });
  if (action === 'install') {
    if (!config.url || !config.token || !isWellFormedToken(config.token.value, 'agent')) {
      console.error(`The service needs the Outpost URL and a valid agent token first. ${TOKEN_HELP}`);
      return EXIT_USAGE;
    }
    updateConfigFile(config.configPath, { url: config.url.value, token: config.token.value });
  }
  const env = readEnvironment();
  return runServiceAction(action as ServiceAction, {
    platform: thisMachine.platform,
    isRoot: thisMachine.isRoot,
    nodePath: process.execPath,
    bundlePath,
    home: config.home,
    ...(env.SystemRoot ? { systemRoot: env.SystemRoot } : {}),
    say: (line) => console.log(line),
  });
}
