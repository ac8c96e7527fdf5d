import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { encodeEnvelope } from '../codec/envelope.codec.js';
import type { Envelope } from '../codec/envelope.js';
import {
  createRedisConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PREFIX } from '../constants.js';
import { InvalidTopicError } from '../errors/invalid-topic.error.js';
import { RedisUnavailableError } from '../errors/redis-unavailable.error.js';
import { RedisStreamsStatus, type RedisStreamsEvents } from '../events/redis-streams.events.js';
import type { RedisStreamsClientOptions } from '../interfaces/redis-streams-client-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsRecord } from '../record-builders/redis-streams.record-builder.js';

/**
 * `ClientProxy` publishing to Redis Streams: `emit(topic, data)` appends one entry to the topic's
 * stream and resolves with the message id once Redis confirmed it. There is no offline queue:
 * while Redis is unreachable, `emit` rejects with `RedisUnavailableError` within `connectTimeoutMs`.
 * @publicApi
 */
// Status is typed `string` (values: RedisStreamsStatus) so the class fits `ClientsModule` `customClass`.
export class ClientRedisStreams extends ClientProxy<RedisStreamsEvents> {
  protected readonly logger = new Logger(ClientRedisStreams.name);
  protected readonly keys: StreamKeys;
  private redis: RedisConnection | undefined;
  private isManuallyClosed = false;
  private pendingListeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];

  constructor(protected readonly options: RedisStreamsClientOptions = {}) {
    super();
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
  }

  /** Connects (once) and resolves when Redis is ready; rejects after `connectTimeoutMs`. */
  async connect(): Promise<RedisConnection> {
    const redis = (this.redis ??= this.createConnection());
    if (redis.status === 'ready') return redis;
    if (this.isManuallyClosed) throw new RedisUnavailableError('client closed');
    try {
      await waitUntilReady(redis, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (err) {
      throw new RedisUnavailableError((err as Error).message);
    }
    return redis;
  }

  /** Closes the connection. Idempotent. */
  async close(): Promise<void> {
    this.isManuallyClosed = true;
    const redis = this.redis;
    if (!redis || redis.status === 'end') return;
    try {
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    } catch {
      redis.disconnect();
    }
  }

  /** The ioredis connection. */
  unwrap<T = RedisConnection>(): T {
    if (!this.redis) {
      throw new Error('Not initialized. Please call the "connect" method first.');
    }
    return this.redis as T;
  }

  /** Listens to an ioredis event of the connection. */
  override on<K extends keyof RedisStreamsEvents>(event: K, callback: RedisStreamsEvents[K]): void {
    if (this.redis) this.redis.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
    else this.pendingListeners.push({ event, callback });
  }

  /** Appends one message to the topic's stream; resolves with its message id. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const topic = this.topicOf(packet.pattern);
    const envelope = this.toEnvelope(packet);
    const redis = await this.connect();
    let entryId: string;
    try {
      entryId = (await redis.xadd(this.keys.stream(topic), '*', ...encodeEnvelope(envelope))) as string;
    } catch (err) {
      throw asPublishError(err, topic);
    }
    this.options.observer?.onMessagePublished?.({
      topic,
      messageId: envelope.id,
      entryId,
      publishedAt: envelope.publishedAt,
      key: envelope.key,
      headers: envelope.headers ?? {},
      payloadSize: envelope.data.length,
    });
    return envelope.id as T;
  }

  /** Request/response is not served by this transport yet. */
  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('ClientRedisStreams does not support send() (request/response) yet; use emit()'),
      isDisposed: true,
    });
    return () => undefined;
  }

  /** Builds the envelope of a packet: payload through the serializer, record options, Nest metadata. */
  protected toEnvelope(packet: ReadPacket): Envelope {
    const record = packet.data instanceof RedisStreamsRecord ? packet.data : undefined;
    const data = record ? record.data : packet.data;
    const serialized = this.serializer.serialize(record ? { ...packet, data } : packet);
    const payload = serialized && typeof serialized === 'object' && 'data' in serialized ? serialized.data : serialized;
    const headers =
      packet.metadata || record?.options.headers ? { ...packet.metadata, ...record?.options.headers } : undefined;
    return {
      id: randomUUID(),
      publishedAt: Date.now(),
      data: JSON.stringify(payload ?? null),
      headers,
      key: record?.options.key,
    };
  }

  protected topicOf(pattern: unknown): string {
    const topic = this.normalizePattern(pattern as string);
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidTopicError(pattern);
    return topic;
  }

  private createConnection(): RedisConnection {
    const redis = createRedisConnection(this.options.connection, {
      offlineQueue: false,
      commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      isClosed: () => this.isManuallyClosed,
    });
    redis.on('error', (err: Error) => {
      if (!this.isManuallyClosed) this.logger.error(`Redis connection: ${err.message}`);
    });
    redis.on('ready', () => this._status$.next(RedisStreamsStatus.CONNECTED));
    redis.on('reconnecting', () => !this.isManuallyClosed && this._status$.next(RedisStreamsStatus.RECONNECTING));
    redis.on('end', () =>
      this._status$.next(this.isManuallyClosed ? RedisStreamsStatus.CLOSED : RedisStreamsStatus.DISCONNECTED),
    );
    for (const { event, callback } of this.pendingListeners) {
      redis.on(event, (...args: unknown[]) => callback('command', ...args));
    }
    return redis;
  }
}

/** A reply error from Redis is rethrown as is; anything else means the write was not confirmed. */
function asPublishError(err: unknown, topic: string): Error {
  if ((err as Error)?.name === 'ReplyError') return err as Error;
  return new RedisUnavailableError((err as Error)?.message ?? String(err), topic);
}
