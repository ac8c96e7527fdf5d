/** State of the outbox, for metrics and health. */
export interface OutboxStats {
  /** Rows not yet published (all replicas). */
  pending: number;
  /** Age of the oldest pending row (ms); 0 when none. */
  oldestPendingAgeMs: number;
  /** Rows this process published since it started. */
  published: number;
  /** Failed publish attempts of this process since it started. */
  failedAttempts: number;
  /** Whether this process runs a relay. */
  relaying: boolean;
}

/** Where metrics and health read the outbox's state: `RedisStreamsOutbox` fits. */
export interface OutboxStatsSource {
  getStats(): Promise<OutboxStats>;
}

/**
 * Token of the `OutboxStatsSource` that `withTypeOrmOutbox()` provides; the Prometheus and Terminus
 * integrations inject it optionally (a string, so they never load the outbox's libraries).
 */
export const REDIS_STREAMS_OUTBOX_STATS = 'REDIS_STREAMS_OUTBOX_STATS';
