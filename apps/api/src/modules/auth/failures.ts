import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tooManyAttempts } from '../../errors.ts';
import { type AttemptLimiter, LocalAttemptLimiter } from '../hub/attempt-limiter.ts';

const MINUTE = 60_000;

/**
 * Failed authentications, counted to throttle guessing: refused API tokens per client address,
 * failed log-ins per e-mail from any address (so that many addresses cannot share out the guessing
 * of one person's password; log-in is also limited per address and e-mail by its route). Log-ins
 * are not counted per address alone: behind the web app's proxy every browser shares one address,
 * and such a count would let one person lock everyone out. Once a count is used up, requests are
 * refused with 429 and `Retry-After` before any password or token is checked. With scale-out the
 * counts live in Redis, shared by every instance. `OUTPOST_AUTH_RATE_LIMIT` (N) sets the pace:
 * 3N refused tokens per address per minute, 3N failed log-ins per e-mail per 15 minutes.
 */
export class AuthFailures {
  readonly #perAddress: AttemptLimiter;
  readonly #perEmail: AttemptLimiter;
  /** What uses up an e-mail's attempts (named in the audit event). */
  readonly emailPolicy: { failures: number; windowMinutes: number };

  constructor(app: FastifyInstance) {
    const limiter = (name: string, limit: number, windowMs: number): AttemptLimiter =>
      app.scale
        ? app.scale.limiter(`auth-failures:${name}`, limit, windowMs)
        : new LocalAttemptLimiter(limit, windowMs);
    this.#perAddress = limiter('address', 3 * app.config.authRateLimit, MINUTE);
    this.emailPolicy = { failures: 3 * app.config.authRateLimit, windowMinutes: 15 };
    this.#perEmail = limiter('email', this.emailPolicy.failures, this.emailPolicy.windowMinutes * MINUTE);
  }

  /** Throws 429 when the request's address has no token attempts left. */
  async refuseThrottledAddress(request: FastifyRequest): Promise<void> {
    const wait = await this.#perAddress.retryAfterMs(request.ip);
    if (wait > 0) throw tooManyAttempts('Too many refused tokens from this address', wait);
  }

  async recordRefusedToken(request: FastifyRequest): Promise<void> {
    await this.#perAddress.attempt(request.ip);
  }

  /** Throws 429 when the e-mail has no log-in attempts left. */
  async refuseThrottledEmail(email: string): Promise<void> {
    const wait = await this.#perEmail.retryAfterMs(emailKey(email));
    if (wait > 0) throw tooManyAttempts('Too many failed sign-in attempts for this e-mail', wait);
  }

  /** Counts a failed log-in; answers whether it used up the e-mail's attempts (the moment to audit that). */
  async recordFailedSignIn(email: string): Promise<{ throttled: boolean }> {
    const key = emailKey(email);
    await this.#perEmail.attempt(key);
    return { throttled: (await this.#perEmail.retryAfterMs(key)) > 0 };
  }
}

const emailKey = (email: string) => email.trim().toLowerCase();
