/** How long to wait before the next attempt of a failed message. */
export interface BackoffOptions {
  /**
   * `fixed`: always `delayMs`; `exponential`: `delayMs * 2^(attempt-1)`, capped at `maxDelayMs`.
   * @defaultValue 'exponential'
   */
  type?: 'fixed' | 'exponential';
  /** Base delay in milliseconds. @defaultValue 1000 */
  delayMs?: number;
  /** Upper bound of any single delay. @defaultValue 60000 */
  maxDelayMs?: number;
  /** Spread delays uniformly over [delay/2, delay] so failing replicas do not retry in lockstep. @defaultValue true */
  jitter?: boolean;
}

/** Retry policy of a consumer group for one topic. */
export interface RetryOptions {
  /** Deliveries in all (first delivery included) before the message is dead-lettered. @defaultValue 5 */
  maxAttempts?: number;
  /** Delay between attempts. */
  backoff?: BackoffOptions;
}

/** A retry policy with every field resolved. */
export interface ResolvedRetryPolicy {
  maxAttempts: number;
  backoff: Required<BackoffOptions>;
}
