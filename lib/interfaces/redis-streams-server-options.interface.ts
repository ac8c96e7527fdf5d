import type { Deserializer, Serializer } from '@nestjs/microservices';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
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
  /** Max in-flight handler calls per topic; no read happens while none is free. @defaultValue 32 */
  concurrency?: number;
  /** `XREADGROUP … COUNT`. @defaultValue 64 */
  batchSize?: number;
  /** `XREADGROUP … BLOCK` in ms; also bounds how stale the read-loop heartbeat may get. @defaultValue 2000 */
  blockMs?: number;
  /** A pending message idle this long is taken over by another consumer (crash recovery). @defaultValue 30000 */
  claimIdleMs?: number;
  /** Retry policy. @defaultValue `{ maxAttempts: 5, backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60000, jitter: true } }` */
  retry?: RetryOptions;
  /** Failed after `maxAttempts` → dead-letter stream (`false`: drop with a warning). @defaultValue true */
  deadLetter?: boolean;
  /** How long `close()` waits for in-flight handlers. @defaultValue 10000 */
  shutdownTimeoutMs?: number;
  /** Where a newly created group starts reading. @defaultValue 'latest' */
  startFrom?: 'latest' | 'earliest';
  /** Acked entries older than this are trimmed (never one some group has not acked). @defaultValue 604800000 (7 days) */
  retentionMs?: number;
  /** How often each topic is trimmed. @defaultValue 60000 */
  housekeepingIntervalMs?: number;
  /** Longest wait between two checks for due delayed messages. @defaultValue 50 */
  delayedPollMs?: number;
  /** Receives every outcome (metrics, persistence); wired by `RedisStreamsModule`. @defaultValue none */
  observer?: RedisStreamsObserver;
  /** Nest serializer (replies of `@MessagePattern`). @defaultValue IdentitySerializer */
  serializer?: Serializer;
  /** Nest deserializer, given `{ pattern, data, metadata }` of every entry. @defaultValue IncomingRequestDeserializer */
  deserializer?: Deserializer;
}
