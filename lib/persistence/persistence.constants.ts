/** Defaults of `RedisStreamsPersistenceOptions`, resolved once in `ConsumptionRecorder`. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;
export const DEFAULT_RECORD_BATCH_SIZE = 1_000;
export const DEFAULT_MAX_BUFFER_SIZE = 20_000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 5_000;
export const DEFAULT_TENANT_HEADER = 'x-tenant-id';
export const DEFAULT_CORRELATION_HEADER = 'x-correlation-id';
/** Longest error message kept in a consumption record (the dead letter keeps the full one). */
export const MAX_ERROR_MESSAGE_LENGTH = 4_000;
/** At most one warning per this period about a failing database or dropped records. */
export const RECORDER_WARN_EVERY_MS = 10_000;
