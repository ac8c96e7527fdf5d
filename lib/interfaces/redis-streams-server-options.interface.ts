import type { Deserializer, Serializer } from '@nestjs/microservices';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import type { PayloadOptions } from '../payload/payload-options.interface.js';
import type { MessageTracing } from '../tracing/message-tracing.interface.js';
import type { RedisStreamsConnectionOptions } from './redis-streams-connection-options.interface.js';
import type { RetryOptions } from './retry-options.interface.js';

/** Options of `ServerRedisStreams`. */
export interface RedisStreamsServerOptions {
  /** How to reach Redis. @defaultValue `{ host: '127.0.0.1', port: 6379 }` */
  connection?: RedisStreamsConnectionOptions;
  /** Key namespace: the stream of topic `t` is `{prefix}:{t}`. @defaultValue 'mq' */
  prefix?: string;
  /** Consumer group (one per service). @defaultValue 'default' */
  group?: string;
  /** Consumer name within the group. @defaultValue `<hostname>-<pid>-<random>` */
  consumer?: string;
  /**
   * Max in-flight handler calls per (topic, group). Up to `batchSize` more entries are read ahead
   * (owned, their leases kept) so a freed slot never waits for a read round trip. @defaultValue 32
   */
  concurrency?: number;
  /** `XREADGROUP … COUNT`, also the read-ahead beyond `concurrency`. @defaultValue 64 */
  batchSize?: number;
  /**
   * `BLOCK` of the server's single wake-up `XREAD` (over the streams of every drained consumer): an
   * idle server sends one read per `blockMs`; also bounds how stale a waiting consumer's heartbeat
   * may get. @defaultValue 2000
   */
  blockMs?: number;
  /** A pending message idle this long is taken over by another consumer (crash recovery). @defaultValue 30000 */
  claimIdleMs?: number;
  /** Retry policy. @defaultValue `{ maxAttempts: 5, backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60000, jitter: true } }` */
  retry?: RetryOptions;
  /** Failed after `maxAttempts` → dead-letter stream (`false`: drop with a warning). @defaultValue true */
  deadLetter?: boolean;
  /** How long `close()` waits for in-flight handlers. @defaultValue 10000 */
  shutdownTimeoutMs?: number;
  /**
   * Where a newly created group starts reading: `'latest'` (new messages) or `'earliest'` (the whole
   * stream). Exception: the first group ever created on a topic (no stream yet, or a stream without
   * any group) starts at the beginning, where the producer started, so nothing published before the
   * first consumer's first deploy is lost. Decided atomically in Redis: replicas racing to create
   * the group agree. @defaultValue 'latest'
   */
  startFrom?: 'latest' | 'earliest';
  /** Acked entries older than this are trimmed (never one some group has not acked). @defaultValue 604800000 (7 days) */
  retentionMs?: number;
  /**
   * Each consumed topic is trimmed at most this often; trims are spread over time (at most one
   * topic per second per server), never a burst of one call per topic. @defaultValue 60000
   */
  housekeepingIntervalMs?: number;
  /**
   * Longest wait between two reads of the head of the prefix's delayed due index (one command,
   * whatever the number of topics). A delay longer than this is promoted on time; a shorter one
   * published by another process may be up to this late. @defaultValue 100
   */
  delayedPollMs?: number;
  /** Receives every outcome (metrics, persistence); wired by `RedisStreamsModule`. @defaultValue none */
  observer?: RedisStreamsObserver;
  /** Nest serializer (replies of `@MessagePattern`). @defaultValue IdentitySerializer */
  serializer?: Serializer;
  /** Nest deserializer, given `{ pattern, data, metadata }` of every entry. @defaultValue IncomingRequestDeserializer */
  deserializer?: Deserializer;
  /**
   * Payload decoding: extra codecs (`codecs`), decryption keys (`keys`), schemas checked before the
   * handler (`schemas` + `validateOnConsume`). Compressed JSON decodes without any option; an entry
   * that cannot be decoded is dead-lettered unread. @defaultValue none
   */
  payload?: PayloadOptions;
  /** Consumer spans (`otelTracing()` from the `/otel` subpath). @defaultValue none */
  tracing?: MessageTracing;
  /**
   * A handler running longer counts as a failed attempt (retried or dead-lettered as usual) and
   * its lease is no longer extended; per handler in the extras. @defaultValue none (no limit)
   */
  handlerTimeoutMs?: number;
}
