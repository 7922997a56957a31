import { isWellFormedToken } from '@outpost/protocol/tokens';
import { type Flags, loadConfig, maskToken, updateConfigFile } from '../config.ts';
import { runningAgent } from '../lock.ts';
import { askSecret, readStdin, TOKEN_QUESTION } from '../prompt.ts';
import { EXIT_OK, EXIT_USAGE, TOKEN_HELP } from './exit-codes.ts';

/** `outpost-agent token set [TOKEN]`: checks the token's form and stores it, mode 0600. */
export async function setToken(argument: string | undefined, flags: Flags): Promise<number> {
  const config = loadConfig({ flags });
  const token = (
    argument ?? (process.stdin.isTTY ? await askSecret(TOKEN_QUESTION) : await readStdin())
  ).trim();
  if (!token) {
    console.error(`No token given. ${TOKEN_HELP}`);
    return EXIT_USAGE;
  }
  if (!isWellFormedToken(token, 'agent')) {
    console.error(`That is not a well-formed Outpost agent token (they start with opa_). ${TOKEN_HELP}`);
    return EXIT_USAGE;
  }
  updateConfigFile(config.configPath, { token });
  console.log(`Token ${maskToken(token)} saved to ${config.configPath}.`);
  const pid = runningAgent(config.home);
  if (pid !== null) console.log(`The agent running now (pid ${pid}) uses the new token once it restarts.`);
  else
    console.log(
      'Start the agent with `outpost-agent start`, or `outpost-agent service start` if it runs as a service.',
    );
  return EXIT_OK;
}
