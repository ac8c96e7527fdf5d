import type { Observable } from 'rxjs';

/**
 * What the relay publishes with: a `ClientRedisStreams` fits. Its `emit` must resolve only once
 * Redis holds the message.
 */
export interface OutboxPublisher {
  emit<TResult = string, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult>;
}

/** Options of `RedisStreamsOutbox` (the writer and the relay of the transactional outbox). */
export interface RedisStreamsOutboxOptions {
  /**
   * Notify the relays with PostgreSQL `NOTIFY` on each insert, so a message leaves within
   * milliseconds of its commit. NOTIFY takes a database-wide lock at commit; at thousands of
   * outbox commits per second, turn it off and let polling carry the load.
   * @defaultValue true
   */
  notify?: boolean;
  /** Whether this instance runs a relay (`start()`); turn off in write-only processes. @defaultValue true */
  relay?: boolean;
  /** Rows claimed and published per relay transaction. @defaultValue 500 */
  batchSize?: number;
  /** The relay looks for pending rows at least this often, notified or not (ms). @defaultValue 1000 */
  pollIntervalMs?: number;
  /** Longest wait between attempts while publishing keeps failing (ms). @defaultValue 10000 */
  maxRetryDelayMs?: number;
  /** Sent rows are deleted this long after they were sent (ms). @defaultValue 3600000 (1 hour) */
  retentionMs?: number;
  /** How often sent rows past their retention are pruned (ms). @defaultValue 60000 */
  pruneIntervalMs?: number;
}
