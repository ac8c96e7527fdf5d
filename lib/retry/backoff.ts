import {
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_BACKOFF_MAX_DELAY_MS,
  DEFAULT_MAX_ATTEMPTS,
} from '../constants.js';
import type { ResolvedRetryPolicy, RetryOptions } from '../interfaces/retry-options.interface.js';

/** Resolves a retry policy: `override` fields win, then `base`, then the defaults. */
export function resolveRetryPolicy(base?: RetryOptions, override?: RetryOptions): ResolvedRetryPolicy {
  const maxAttempts = override?.maxAttempts ?? base?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`retry.maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  }
  const backoff = {
    type: override?.backoff?.type ?? base?.backoff?.type ?? 'exponential',
    delayMs: override?.backoff?.delayMs ?? base?.backoff?.delayMs ?? DEFAULT_BACKOFF_DELAY_MS,
    maxDelayMs: override?.backoff?.maxDelayMs ?? base?.backoff?.maxDelayMs ?? DEFAULT_BACKOFF_MAX_DELAY_MS,
    jitter: override?.backoff?.jitter ?? base?.backoff?.jitter ?? true,
  } as const;
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') {
    throw new Error(`retry.backoff.type must be 'fixed' or 'exponential', got ${String(backoff.type)}`);
  }
  if (!(backoff.delayMs >= 0) || !(backoff.maxDelayMs >= 0)) {
    throw new Error('retry.backoff.delayMs and maxDelayMs must be ≥ 0');
  }
  return { maxAttempts, backoff: { ...backoff } };
}

/**
 * Delay before the attempt after `attempt` failed (attempt 1 = first delivery).
 * `random` is injectable so the jitter is testable without fakes.
 */
export function backoffDelay(
  policy: ResolvedRetryPolicy['backoff'],
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = policy.type === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.min(exponent, 52);
  const capped = Math.min(raw, policy.maxDelayMs);
  if (!policy.jitter) return capped;
  // "Equal jitter": keeps at least half the delay, spreads the rest.
  return Math.round(capped / 2 + random() * (capped / 2));
}
