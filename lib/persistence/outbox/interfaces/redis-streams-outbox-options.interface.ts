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
   * Wake the relays with PostgreSQL `NOTIFY` when a transaction holding outbox rows commits, so a
   * message leaves within milliseconds of its commit; without it they find rows by polling.
   * @defaultValue true
   */
  notify?: boolean;
  /**
   * This process notifies at most once per this interval (ms): a notifying commit takes a
   * database-wide lock and interrupts every listener, and one notification wakes a relay for all
   * the rows committed meanwhile. A notifying transaction that rolls back leaves the rows of the
   * others to the next poll.
   * @defaultValue 5
   */
  notifyIntervalMs?: number;
  /** Whether this instance runs a relay (`start()`); turn off in write-only processes. @defaultValue true */
  relay?: boolean;
  /** Rows claimed and published per relay transaction. @defaultValue 500 */
  batchSize?: number;
  /** The relay looks for pending rows at least this often, notified or not (ms). @defaultValue 500 */
  pollIntervalMs?: number;
  /**
   * A notified relay starts its next pass no sooner than this after the previous one started (ms),
   * so that under load one pass carries the rows of many commits. Adds at most this much latency,
   * only while rows keep coming. @defaultValue 5
   */
  minPassIntervalMs?: number;
  /** Longest wait between attempts while publishing keeps failing (ms). @defaultValue 10000 */
  maxRetryDelayMs?: number;
  /**
   * Sent rows are deleted this long after they were sent (ms); 0 deletes them as they are published
   * (cheapest: no update, no pruning, nothing to inspect afterwards).
   * @defaultValue 3600000 (1 hour)
   */
  retentionMs?: number;
  /** How often sent rows past their retention are pruned (ms). @defaultValue 60000 */
  pruneIntervalMs?: number;
}
