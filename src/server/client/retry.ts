import { GmoPgError } from './errors.js';

export interface RetryRule {
  /** Only a read-only call may be repeated: a payment call that failed may have gone through. */
  readOnly: boolean;
  /** Extra attempts after the first. */
  retries: number;
  /** Milliseconds before the first retry; each next one waits twice as long. */
  delayMs: number;
  /** How to wait (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * GMO-PG's rate limit (E92000001/2) on a read-only call is waited out and the call repeated, up to
 * `retries` times with doubling delays; anything else, and any payment call, fails at once, since a
 * second payment call could charge twice. When the retries run out, the error is marked `retryable`:
 * calling again later may help.
 */
export async function withRateLimitRetries<T>(attempt: () => Promise<T>, rule: RetryRule): Promise<T> {
  const sleep = rule.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof GmoPgError && error.rateLimited && rule.readOnly)) throw error;
      if (n >= rule.retries) throw new GmoPgError(error.api, error.errors, true);
      await sleep(rule.delayMs * 2 ** n);
    }
  }
}
