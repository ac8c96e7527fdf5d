/** Thresholds of `RedisStreamsHealthIndicator`; module-wide defaults, overridable per check. */
export interface RedisStreamsHealthOptions {
  /** How long the Redis probe (connect + PING) may take before Redis counts as unreachable (ms). @defaultValue 1000 */
  timeoutMs?: number;
  /**
   * Down when a group this process consumes has a delivered-but-unacked message older than this
   * (ms). Off when undefined.
   * @defaultValue undefined
   */
  maxOldestPendingAgeMs?: number;
  /** Down when a consumed topic's dead-letter stream holds more entries than this. Off when undefined. @defaultValue undefined */
  maxDeadLetters?: number;
  /**
   * Down when the oldest message of the outbox (`withTypeOrmOutbox()`) has waited longer than this
   * to be published (ms): the relays cannot reach Redis, or a row keeps failing. Off when undefined.
   * @defaultValue undefined
   */
  maxOutboxAgeMs?: number;
  /** Topics checked against the thresholds besides the ones this process consumes. @defaultValue [] */
  topics?: string[];
}
