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

/** Defaults of the outbox relay (`RedisStreamsOutboxOptions`). */
export const DEFAULT_OUTBOX_BATCH_SIZE = 500;
export const DEFAULT_OUTBOX_POLL_INTERVAL_MS = 500;
export const DEFAULT_OUTBOX_NOTIFY_INTERVAL_MS = 5;
export const DEFAULT_OUTBOX_MAX_RETRY_DELAY_MS = 10_000;
export const DEFAULT_OUTBOX_MIN_PASS_INTERVAL_MS = 5;
/** Sent outbox rows are kept this long (for inspection), then pruned. */
export const DEFAULT_OUTBOX_RETENTION_MS = 60 * 60 * 1000;
/** Inbox rows are kept as long as the stream keeps a message, so a redelivery always finds its row. */
export const DEFAULT_INBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;
/** Rows deleted per pruning statement (a large backlog is pruned in several short transactions). */
export const PRUNE_BATCH_SIZE = 5_000;
/** PostgreSQL channel the outbox notifies on insert, and the relays listen to. */
export const OUTBOX_CHANNEL = 'message_outbox';
/**
 * Advisory lock namespaces (first key of the two-int form), so the outbox's locks never collide
 * with an application's: writers of one message key take the first, relays the second.
 */
export const OUTBOX_WRITER_LOCK_SPACE = 0x52534f57;
export const OUTBOX_RELAY_LOCK_SPACE = 0x52534f52;
