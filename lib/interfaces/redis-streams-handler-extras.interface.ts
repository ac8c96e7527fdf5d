import type { RetryOptions } from './retry-options.interface.js';

/**
 * Per-handler options, passed as `@EventPattern(topic, extras)`. Unset fields inherit the server's.
 * Nest types extras as `Record<string, any>`: wrap them in `redisStreamsExtras({...})` so that a
 * misspelt option fails to compile instead of being ignored.
 */
export interface RedisStreamsHandlerExtras {
  /** Consumer group of this handler (a group is a service: every group gets every message). */
  group?: string;
  /** Max in-flight calls of this handler. */
  concurrency?: number;
  /** Retry policy of this handler's group. */
  retry?: RetryOptions;
  /** Dead-letter after the last attempt (`false`: drop with a warning). */
  deadLetter?: boolean;
  /** Idle time after which another consumer of the group takes a pending message over. */
  claimIdleMs?: number;
  /** Where a newly created group starts: `latest` (new messages) or `earliest` (the whole stream). */
  startFrom?: 'latest' | 'earliest';
  /** A call running longer counts as a failed attempt and its lease is no longer extended. */
  handlerTimeoutMs?: number;
}
