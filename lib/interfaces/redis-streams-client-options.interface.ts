import type { Deserializer, Serializer } from '@nestjs/microservices';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import type { PayloadOptions } from '../payload/payload-options.interface.js';
import type { MessageTracing } from '../tracing/message-tracing.interface.js';
import type { RedisStreamsConnectionOptions } from './redis-streams-connection-options.interface.js';

/**
 * Options of `ClientRedisStreams`. Register it with `redisStreamsClient(name, options)` in
 * `ClientsModule.register([...])` so that these options are type-checked.
 */
export interface RedisStreamsClientOptions {
  /**
   * How to reach Redis. The transport manages reconnects and never queues or re-sends a write:
   * ioredis' offline queue and `autoResendUnfulfilledCommands` are off for the client.
   * @defaultValue `{ host: '127.0.0.1', port: 6379 }`
   */
  connection?: RedisStreamsConnectionOptions;
  /** Key namespace; must match the servers'. @defaultValue 'mq' */
  prefix?: string;
  /**
   * How long `emit` / `send` / `connect()` wait for a connection before rejecting with
   * `RedisUnavailableError` (nothing was written). @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * How long one publish command may wait for Redis' reply. Past it, `emit` rejects with
   * `PublishOutcomeUnknownError`: the write was sent and may still be applied.
   * @defaultValue 10000
   */
  commandTimeoutMs?: number;
  /**
   * Capacity: an `emit` to a stream already holding this many entries rejects with
   * `TopicFullError` instead of trimming. A number for every topic, a per-topic map, or a
   * function asked at every publish (limits that change at run time).
   * @defaultValue none (unbounded)
   */
  maxLen?: number | Record<string, number> | ((topic: string) => number | undefined);
  /** How long a deduplication id blocks a second publish. @defaultValue 300000 (5 min) */
  deduplicationWindowMs?: number;
  /**
   * How long `send()` waits for its (final) reply before it errors with `RequestTimeoutError`. A
   * handler's error is a reply: it reaches the caller at once.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
  /** Receives every publish (metrics, persistence); wired by `RedisStreamsModule`. @defaultValue none */
  observer?: RedisStreamsObserver;
  /** Nest serializer: its output's `data` is JSON-encoded into the entry. @defaultValue IdentitySerializer */
  serializer?: Serializer;
  /** Nest deserializer (replies). @defaultValue IncomingResponseDeserializer */
  deserializer?: Deserializer;
  /**
   * Payload encoding: codec, compression above a threshold, AES-256-GCM encryption with a key
   * provider, per-topic schemas checked at `emit` (`PayloadValidationError`, nothing written).
   * @defaultValue none (plain JSON)
   */
  payload?: PayloadOptions;
  /** Producer spans and trace headers (`otelTracing()` from the `/otel` subpath). @defaultValue none */
  tracing?: MessageTracing;
}
