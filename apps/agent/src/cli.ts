import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './commands/exit-codes.ts';
import { serviceCommand } from './commands/service.ts';
import { startAgent } from './commands/start.ts';
import { showStatus } from './commands/status.ts';
import { setToken } from './commands/token.ts';
import { ConfigError, type Flags } from './config.ts';
import { LockHeldError } from './lock.ts';
import { ServiceError } from './service/index.ts';
import { AGENT_VERSION } from './version.ts';

export const USAGE = `Outpost agent ${AGENT_VERSION}: carries the Outpost cloud's work to systems in this private network.

Usage: outpost-agent <command> [options]

Commands:
  start                 Connect to Outpost and carry its work, in the foreground
                        (asks for the token on first run when attached to a terminal)
  token set [TOKEN]     Store the agent token (asks for it when omitted)
  status                Show the configuration (token masked) and whether an agent is running
  service install       Run the agent as a service that starts with the machine
  service uninstall|start|stop|status
  version               Print the agent's version
  help                  Show this help

Options:
  --url URL             Outpost's address, e.g. https://outpost.example.com (or OUTPOST_URL)
  --token TOKEN         The agent token (or OUTPOST_AGENT_TOKEN)
  --config FILE         Use this config file instead of outpost-agent.json in the agent home
  --log-format FORMAT   text (default) or json
  --version             Print the agent's version
  --help                Show this help

OUTPOST_AGENT_HOME moves the agent home (config file, lock, machine id).
Exit codes: 0 stopped, 1 failed or already running, 2 bad usage or configuration,
3 stopped for good (token refused or revoked, agent deleted, upgrade required),
4 upgraded itself: the service manager starts the new version.`;

export async function runCli(
  argv: string[],
  bundlePath = path.resolve(process.argv[1] ?? ''),
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version || command === 'version') {
    console.log(AGENT_VERSION);
    return EXIT_OK;
  }
  if (values.help || !command || command === 'help') {
    console.log(USAGE);
    return EXIT_OK;
  }
  const logFormat = values['log-format'];
  if (logFormat !== undefined && logFormat !== 'text' && logFormat !== 'json') {
    console.error('--log-format is text or json');
    return EXIT_USAGE;
  }
  const flags: Flags = {
    ...(values.url ? { url: values.url } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(values.config ? { config: values.config } : {}),
    ...(logFormat ? { logFormat } : {}),
  };
  try {
    switch (command) {
      case 'start':
        return await startAgent({
          flags,
          bundlePath,
          argv,
          stopOnStdinEnd: values['stop-on-stdin-end'] === true,
        });
      case 'token':
        if (rest[0] !== 'set') break;
        return await setToken(rest[1], flags);
      case 'status':
        return showStatus(flags);
      case 'service':
        return serviceCommand(rest[0], flags, bundlePath);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof LockHeldError || error instanceof ServiceError) {
      console.error(error.message);
      return EXIT_FAILED;
    }
    throw error;
  }
  console.error(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`);
  return EXIT_USAGE;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      config: { type: 'string' },
      'log-format': { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
      /** The Windows service host's way to ask for a graceful stop. */
      'stop-on-stdin-end': { type: 'boolean' },
    },
  });
}
