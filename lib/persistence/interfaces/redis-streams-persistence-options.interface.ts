/** Subscription settings written when the recorder registers a `(topic, group)` for the first time. */
export interface RecordedSubscriptionSettings {
  /** `startFrom` of the server. @defaultValue 'latest' */
  offsetResetPolicy?: 'earliest' | 'latest';
  /** `batchSize` of the server. @defaultValue 64 */
  maxPollRecords?: number;
  /** `claimIdleMs` of the server. @defaultValue 30000 */
  sessionTimeoutMs?: number;
  /** `blockMs` of the server. @defaultValue 2000 */
  heartbeatIntervalMs?: number;
  /** `retry.maxAttempts` of the server. @defaultValue 3 (the column default) */
  maxRetryAttempts?: number;
  /** `retry.backoff.delayMs` of the server. @defaultValue 1000 (the column default) */
  retryDelayMs?: number;
  /** Whether dead-lettering is on; the dead-letter stream key is stored when it is. @defaultValue true */
  deadLetter?: boolean;
}

/**
 * Options of the TypeORM recorder (`ConsumptionRecorder`): consumption records (always) and
 * message records (opt-in), written in batches off the hot path.
 */
export interface RedisStreamsPersistenceOptions {
  /**
   * Name of the TypeORM DataSource holding `REDIS_STREAMS_ENTITIES` (`TypeOrmModule.forRoot({ name })`);
   * used by `withTypeOrmRecording()` when `dataSource` is not given.
   * @defaultValue 'default'
   */
  dataSourceName?: string;
  /** Write one `message_records` row per publish (and update it as groups settle it). @defaultValue false */
  recordMessages?: boolean;
  /** A flush runs at least this often while records wait (ms). @defaultValue 100 */
  flushIntervalMs?: number;
  /** A flush starts as soon as this many records wait; also the most rows of one INSERT. @defaultValue 1000 */
  batchSize?: number;
  /**
   * The most records kept in memory while the database is slow or down. Beyond it new records are
   * dropped (counted, with a warning): message processing never waits for the database.
   * @defaultValue 20000
   */
  maxBufferSize?: number;
  /** Longest wait between two flush attempts while the database keeps failing (ms). @defaultValue 5000 */
  maxRetryDelayMs?: number;
  /** Header whose value goes to `tenant_id`. @defaultValue 'x-tenant-id' */
  tenantHeader?: string;
  /** Header whose value goes to `message_records.correlation_id`. @defaultValue 'x-correlation-id' */
  correlationHeader?: string;
  /** `message_records.producer_id` of messages published by this process. @defaultValue `<hostname>-<pid>` */
  producerId?: string;
  /** Key prefix of the transport, to store the dead-letter stream key of subscriptions. @defaultValue 'mq' */
  prefix?: string;
  /** Settings stored on subscriptions the recorder creates (the module fills them from the server options). */
  subscriptionDefaults?: RecordedSubscriptionSettings;
}
