import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tooManyAttempts } from '../../errors.ts';
import { type AttemptLimiter, LocalAttemptLimiter } from '../hub/attempt-limiter.ts';

const MINUTE = 60_000;

/**
 * Failed authentications — wrong passwords at log-in and refused API tokens — counted per client
 * address and, for log-in, per e-mail from any address, so that neither one address trying many
 * people nor many addresses trying one person get far. Once a count is used up, requests are
 * refused with 429 and `Retry-After` before any password or token is checked. With scale-out the
 * counts live in Redis, shared by every instance. `OUTPOST_AUTH_RATE_LIMIT` (N) sets the pace:
 * 3N failures per address per minute, 3N failed log-ins per e-mail per 15 minutes.
 */
export class AuthFailures {
  readonly perAddress: AttemptLimiter;
  readonly perEmail: AttemptLimiter;
  /** What uses up an e-mail's attempts (named in the audit event). */
  readonly emailPolicy: { failures: number; windowMinutes: number };

  constructor(app: FastifyInstance) {
    const limiter = (name: string, limit: number, windowMs: number): AttemptLimiter =>
      app.scale
        ? app.scale.limiter(`auth-failures:${name}`, limit, windowMs)
        : new LocalAttemptLimiter(limit, windowMs);
    this.perAddress = limiter('address', 3 * app.config.authRateLimit, MINUTE);
    this.emailPolicy = { failures: 3 * app.config.authRateLimit, windowMinutes: 15 };
    this.perEmail = limiter('email', this.emailPolicy.failures, this.emailPolicy.windowMinutes * MINUTE);
  }

  /** Throws 429 when the request's address, or the e-mail it signs in as, has no attempts left. */
  async refuseWhenThrottled(request: FastifyRequest, email?: string): Promise<void> {
    const address = await this.perAddress.retryAfterMs(request.ip);
    if (address > 0) throw tooManyAttempts('Too many failed sign-in attempts from this address', address);
    if (email === undefined) return;
    const person = await this.perEmail.retryAfterMs(emailKey(email));
    if (person > 0) throw tooManyAttempts('Too many failed sign-in attempts for this e-mail', person);
  }

  /** Counts a failure; answers whether it used up the e-mail's attempts (the moment to audit that). */
  async record(request: FastifyRequest, email?: string): Promise<{ emailThrottled: boolean }> {
    await this.perAddress.attempt(request.ip);
    if (email === undefined) return { emailThrottled: false };
    const key = emailKey(email);
    await this.perEmail.attempt(key);
    return { emailThrottled: (await this.perEmail.retryAfterMs(key)) > 0 };
  }
}

const emailKey = (email: string) => email.trim().toLowerCase();
