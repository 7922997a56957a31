import { CloseCode } from '@outpost/protocol/agent/close-codes';
import type { Welcome } from '@outpost/protocol/agent/frames';
import { Backoff, HEALTHY_SESSION_MS } from './backoff.ts';
import { seconds } from './log.ts';
import { Session, type SessionEnd, type SessionOptions } from './session.ts';
import type { Upgraded, Upgrader } from './upgrade.ts';

/** Exit code when reconnecting cannot help: the token was refused or revoked, the agent deleted, too old. */
export const EXIT_FINAL = 3;
/** A newer bundle is in place: the agent restarts (under a service manager: exits so that it is restarted). */
export const EXIT_RESTART = 4;

export const FINAL_MESSAGES = {
  refused: 'the token was refused (revoked or mistyped): enter the new token with `outpost-agent token set`',
  [CloseCode.TOKEN_REVOKED]: 'token revoked: enter the new token with `outpost-agent token set`',
  [CloseCode.AGENT_DELETED]: 'this agent was deleted in Outpost',
  [CloseCode.UPGRADE_REQUIRED]:
    'upgrade required: Outpost no longer accepts this agent version; download the new one from Resources → Agents → Install',
} as const;

export interface Outcome {
  /** Set when the agent must stop for good: the log line that says why. */
  final?: string;
  /** What happened, for the "…; reconnecting in 3.2 s" line. */
  message: string;
  /** The hub asked for at least this long a pause (429 Retry-After, goaway). */
  atLeastMs?: number;
}

/** What a session's end means for the next step. */
export function outcomeOf(end: SessionEnd): Outcome {
  if (end.kind === 'refused') {
    if (end.status === 401) return { final: FINAL_MESSAGES.refused, message: 'refused (401)' };
    if (end.status === 429)
      return {
        message: 'Outpost is limiting connection attempts (429)',
        ...(end.retryAfterMs ? { atLeastMs: end.retryAfterMs } : {}),
      };
    return { message: `Outpost answered ${end.status} instead of connecting` };
  }
  if (end.kind === 'unreachable') return { message: `could not connect (${end.message})` };
  const detail = [String(end.code), end.localReason ?? end.reason].filter(Boolean).join(', ');
  const message = `disconnected (${detail})`;
  if (end.code === CloseCode.TOKEN_REVOKED)
    return { final: FINAL_MESSAGES[CloseCode.TOKEN_REVOKED], message };
  if (end.code === CloseCode.AGENT_DELETED)
    return { final: FINAL_MESSAGES[CloseCode.AGENT_DELETED], message };
  if (end.code === CloseCode.UPGRADE_REQUIRED)
    return { final: FINAL_MESSAGES[CloseCode.UPGRADE_REQUIRED], message };
  return { message, ...(end.goAway ? { atLeastMs: end.goAway.reconnectAfterMs } : {}) };
}

/** What each session gets, plus how the supervisor paces and ends them. */
export interface SupervisorOptions
  extends Pick<SessionOptions, 'url' | 'token' | 'hello' | 'registry' | 'policy' | 'log'> {
  backoff?: Backoff;
  /** How long in-flight requests may run on after SIGTERM/SIGINT. */
  graceMs?: number;
  /** Auto-upgrade: sees every `welcome`. */
  upgrader?: Pick<Upgrader, 'consider'>;
}

/**
 * Keeps one session alive for as long as the agent runs: reconnects forever with back-off and full
 * jitter, resets the back-off after a healthy minute, stops for good on a final close code or a
 * refused token.
 */
export class Supervisor {
  readonly #backoff: Backoff;
  #session: Session | null = null;
  #stopping = false;
  #upgraded: Upgraded | null = null;
  #wake: (() => void) | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.#backoff = options.backoff ?? new Backoff();
  }

  /** The version swapped in when `run()` resolved with `EXIT_RESTART`. */
  get upgraded(): Upgraded | null {
    return this.#upgraded;
  }

  /**
   * Resolves with the process exit code: 0 after `stop()`, `EXIT_FINAL` when reconnecting cannot
   * help, `EXIT_RESTART` once a newer bundle is in place and the session has finished its work.
   */
  async run(): Promise<number> {
    const { log } = this.options;
    while (!this.#stopping) {
      log.info(`connecting to ${this.options.url}`);
      const session = new Session({ ...this.options, onWelcome: (welcome) => this.#onWelcome(welcome) });
      this.#session = session;
      const end = await session.ended;
      this.#session = null;
      if (this.#stopping) break;
      const outcome = outcomeOf(end);
      if (outcome.final) {
        log.error(outcome.final, { reason: outcome.message });
        return EXIT_FINAL;
      }
      if (end.kind === 'closed' && end.upMs >= HEALTHY_SESSION_MS) this.#backoff.reset();
      const delay = (outcome.atLeastMs ?? 0) + this.#backoff.next();
      log.warn(`${outcome.message}; reconnecting in ${seconds(delay)}`);
      await this.#sleep(delay);
    }
    return this.#upgraded ? EXIT_RESTART : 0;
  }

  /** Graceful stop: the live session (if any) finishes its work for up to `graceMs`, then closes 1000. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#session?.shutdown(this.options.graceMs ?? 10_000);
  }

  #onWelcome(welcome: Welcome): void {
    this.options.upgrader
      ?.consider(welcome)
      .then((upgraded) => {
        if (!upgraded) return;
        const upgradedFrom = `upgraded from ${upgraded.from} to ${upgraded.to}`;
        if (this.#stopping) return this.options.log.info(`${upgradedFrom}; the next start runs it`);
        this.options.log.info(`${upgradedFrom}; restarting`);
        this.#upgraded = upgraded;
        return this.stop();
      })
      .catch((error: unknown) =>
        this.options.log.error(
          `auto-upgrade failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
