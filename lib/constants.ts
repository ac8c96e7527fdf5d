/** Transport identifier of this strategy (Nest's `transportId`). */
export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

/** Defaults of the public options; every option resolves against these, in one place. */
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
export const DEFAULT_DELAYED_POLL_MS = 100;
export const DEFAULT_DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A reply stream outlives its client by this much at most (refreshed while the client lives). */
export const REPLY_STREAM_TTL_MS = 60_000;
/** Replies kept per reply stream (approximate MAXLEN): bounds a stream nobody reads any more. */
export const REPLY_STREAM_MAX_LEN = 1_000;
/** How often a server reads the prefix's control events (pause / resume / replay): a pause holds within 1 s. */
export const CONTROL_POLL_MS = 250;
/**
 * Spacing of a server's takeover visits: at most one (topic, group) per this many ms is checked for
 * entries of crashed consumers, so the sweep costs the same however many pairs the server consumes.
 */
export const MAINTENANCE_TICK_MS = 500;
/** At most one topic is trimmed per this many ms (housekeeping spread over time, never a burst). */
export const TRIM_SPACING_MS = 1_000;
/** A consumer owning nothing and idle this many times `claimIdleMs` is removed from its group. */
export const IDLE_CONSUMER_REMOVAL_FACTOR = 10;
/** How often a server re-indexes every delayed set of the prefix (messages of producers that crashed mid-publish, older versions). */
export const DELAYED_REINDEX_MS = 5 * 60 * 1000;
/** Reconnect backoff of every connection: exponential from 50 ms, capped here, with jitter. */
export const RECONNECT_MAX_DELAY_MS = 2_000;
/** The most stack lines kept in a dead letter's `error` field. */
export const DEAD_LETTER_STACK_LINES = 10;
/** How often a server refreshes its heartbeat in `StreamKeys.servers()` and looks for peers that stopped beating. */
export const HEARTBEAT_MS = 1_000;
/** A server whose heartbeat is older than this is taken for crashed: its pairs are swept soon after `claimIdleMs`. */
export const PEER_TIMEOUT_MS = 5_000;
