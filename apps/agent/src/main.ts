import { AGENT_VERSION } from './version.ts';

const USAGE = `Outpost agent ${AGENT_VERSION}: carries the Outpost cloud's work to systems in this private network.

Usage: outpost-agent <command> [options]

Commands:
  start      Connect to Outpost and carry its work (asks for the token on first run)
  version    Print the agent's version

Options:
  --version  Print the agent's version
  --help     Show this help`;

export function main(args: string[]): number {
  const [command] = args;
  if (command === 'version' || command === '--version' || command === '-v') {
    console.log(AGENT_VERSION);
    return 0;
  }
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  console.error(`Unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
