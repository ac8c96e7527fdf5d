import type { RetryOptions } from '../../lib/index.js';

/** The retry-related settings of a queue (columns of `mq_queue_settings`). */
export interface QueueRetrySettings {
  maxAttempts: number;
  retryDelayMs: number;
  retryBackoff: 'fixed' | 'exponential';
  maxRetryDelayMs: number;
}

/** A queue's settings as the transport's retry policy (jitter on, so failing replicas spread out). */
export function retryOptionsOf(settings: QueueRetrySettings): RetryOptions {
  return {
    maxAttempts: settings.maxAttempts,
    backoff: {
      type: settings.retryBackoff,
      delayMs: settings.retryDelayMs,
      maxDelayMs: Math.max(settings.maxRetryDelayMs, settings.retryDelayMs),
      jitter: true,
    },
  };
}
