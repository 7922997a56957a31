import { registry } from '@outpost/connectors/registry';
import { isWellFormedToken } from '@outpost/protocol/tokens';
import {
  type AgentConfig,
  connectUrl,
  type Flags,
  loadConfig,
  maskToken,
  updateConfigFile,
} from '../config.ts';
import { hello } from '../identity.ts';
import { acquireLock } from '../lock.ts';
import { createLogger, type Logger } from '../log.ts';
import { compilePolicy } from '../policy.ts';
import { askSecret, TOKEN_QUESTION } from '../prompt.ts';
import { handOver } from '../restart.ts';
import { EXIT_RESTART, Supervisor } from '../supervisor.ts';
import { Upgrader } from '../upgrade.ts';
import { EXIT_OK, EXIT_USAGE, TOKEN_HELP } from './exit-codes.ts';

export interface StartOptions {
  flags: Flags;
  /** The running bundle, which auto-upgrade replaces. */
  bundlePath: string;
  /** The command line after the bundle, for the restart into a new version. */
  argv: readonly string[];
  /** Stop gracefully when standard input closes (the Windows service host's stop signal). */
  stopOnStdinEnd?: boolean;
  graceMs?: number;
}

/**
 * `outpost-agent start`: runs in the foreground until stopped, or until reconnecting cannot help.
 * After an auto-upgrade it restarts into the new bundle: under a service manager by exiting with
 * `EXIT_RESTART`, else by handing the lock to a new process; should that process not take over,
 * the previous bundle is put back and this one carries on.
 */
export async function startAgent(options: StartOptions): Promise<number> {
  const config = loadConfig({ flags: options.flags });
  const log = createLogger(config.logFormat);
  if (!config.url) {
    log.error('no Outpost URL: pass --url https://… or set OUTPOST_URL');
    return EXIT_USAGE;
  }
  const url = connectUrl(config.url.value);
  let lock = acquireLock(config.home);
  try {
    const token = await agentToken(config, log);
    if (!token) return EXIT_USAGE;
    const upgrader = new Upgrader({
      bundlePath: options.bundlePath,
      url: config.url.value,
      token,
      log,
      allowedLocally: config.autoUpgrade,
    });
    for (;;) {
      const supervisor = new Supervisor({
        url,
        token,
        hello: hello(config.home),
        registry,
        policy: compilePolicy(config.policy),
        log,
        graceMs: options.graceMs ?? 10_000,
        upgrader,
      });
      const stopOn = stopSignals(supervisor, log, options.stopOnStdinEnd === true);
      let code: number;
      try {
        code = await supervisor.run();
      } finally {
        stopOn.dispose();
      }
      const upgraded = supervisor.upgraded;
      if (code !== EXIT_RESTART || !upgraded) {
        if (code === 0) log.info('stopped');
        return code;
      }
      if (config.service) {
        log.info(`exiting with code ${EXIT_RESTART}: ${config.service} starts ${upgraded.to}`);
        return EXIT_RESTART;
      }
      lock.release();
      const handed = await handOver({
        bundlePath: options.bundlePath,
        args: options.argv,
        home: config.home,
      });
      if (handed.ok) {
        log.info(`agent ${upgraded.to} (pid ${handed.pid}) has taken over; exiting`);
        return EXIT_OK;
      }
      await upgrader.rollBack(upgraded, handed.reason);
      lock = acquireLock(config.home);
    }
  } finally {
    lock.release();
  }
}

/** The configured token, or one pasted at the terminal (and saved) on first run. */
async function agentToken(config: AgentConfig, log: Logger): Promise<string | null> {
  if (config.token) {
    if (isWellFormedToken(config.token.value, 'agent')) return config.token.value;
    log.error(
      `the agent token from the ${config.token.source} is not a well-formed Outpost agent token. ${TOKEN_HELP}`,
    );
    return null;
  }
  if (!process.stdin.isTTY) {
    log.error(`no agent token. ${TOKEN_HELP}`);
    return null;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const token = await askSecret(TOKEN_QUESTION);
    if (!token) {
      log.error(`no agent token. ${TOKEN_HELP}`);
      return null;
    }
    if (isWellFormedToken(token, 'agent')) {
      updateConfigFile(config.configPath, { token });
      log.info(`token ${maskToken(token)} saved to ${config.configPath}`);
      return token;
    }
    process.stdout.write('That is not an Outpost agent token (they start with opa_); copy it again.\n');
  }
  return null;
}

/** SIGTERM, SIGINT (and stdin's end if asked) stop gracefully; a second one stops at once. */
function stopSignals(supervisor: Supervisor, log: Logger, stdin: boolean) {
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      log.warn(`${why} again: stopping now`);
      process.exit(130);
    }
    stopping = true;
    log.info(`${why}: stopping`);
    void supervisor.stop();
  };
  const onTerm = () => stop('received SIGTERM');
  const onInt = () => stop('received SIGINT');
  const onStdinEnd = () => stop('standard input closed');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  if (stdin) {
    process.stdin.on('end', onStdinEnd);
    process.stdin.resume();
  }
  return {
    dispose: () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (stdin) {
        process.stdin.off('end', onStdinEnd);
        process.stdin.pause();
        process.stdin.destroy();
      }
    },
  };
}
