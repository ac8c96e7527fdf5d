/** Transport identifier of this strategy (Nest's `transportId`). */
export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

/** Defaults of SPEC §3; every option resolves against these, in one place. */
export const DEFAULT_PREFIX = 'mq';
export const DEFAULT_GROUP = 'default';
export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_BATCH_SIZE = 64;
export const DEFAULT_BLOCK_MS = 2_000;
export const DEFAULT_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_DELAY_MS = 1_000;
export const DEFAULT_BACKOFF_MAX_DELAY_MS = 60_000;
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_HOUSEKEEPING_INTERVAL_MS = 60_000;
export const DEFAULT_DELAYED_POLL_MS = 50;
export const DEFAULT_DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A reply stream outlives its client by this much at most (refreshed while the client lives). */
export const REPLY_STREAM_TTL_MS = 60_000;
/** Replies kept per reply stream (approximate MAXLEN): bounds a stream nobody reads any more. */
export const REPLY_STREAM_MAX_LEN = 1_000;
/** Longest a due retry may wait when no local event wakes the scheduler earlier. */
export const RETRY_POLL_MS = 1_000;
/** Reconnect backoff of every connection: exponential from 50 ms, capped here, with jitter. */
export const RECONNECT_MAX_DELAY_MS = 2_000;
/** The most stack lines kept in a dead letter's `error` field. */
export const DEAD_LETTER_STACK_LINES = 10;
