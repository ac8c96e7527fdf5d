/** Options of `RedisStreamsInbox`. */
export interface RedisStreamsInboxOptions {
  /**
   * Inbox rows are deleted this long after their message was processed (ms). Keep it at least as
   * long as a message can be redelivered: the stream's retention.
   * @defaultValue 604800000 (7 days)
   */
  retentionMs?: number;
  /** How often rows past their retention are pruned (ms); 0 turns pruning off here. @defaultValue 60000 */
  pruneIntervalMs?: number;
}
