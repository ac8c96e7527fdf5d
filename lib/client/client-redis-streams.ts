import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { from, throwError, type Observable } from 'rxjs';
import { Cluster, type ChainableCommander } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  closeConnection,
  createRedisConnection,
  isClusterConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../constants.js';
import { BatchPublishError, type BatchItemResult } from '../errors/batch-publish.error.js';
import { InvalidTopicError } from '../errors/invalid-topic.error.js';
import { RedisUnavailableError } from '../errors/redis-unavailable.error.js';
import { RedisStreamsStatus, type RedisStreamsEvents } from '../events/redis-streams.events.js';
import type { RedisStreamsClientOptions } from '../interfaces/redis-streams-client-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsRecord } from '../record-builders/redis-streams.record-builder.js';
import { toPublishOutcome } from '../scripts/publish-result.js';
import { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { preparePublish, type PreparedPublish, type PublishContext } from './prepare-publish.js';
import { ReplyListener } from './reply-listener.js';

/**
 * `ClientProxy` publishing to Redis Streams: `emit(topic, data)` appends one entry to the topic's
 * stream (or its delayed set) and resolves with the message id once Redis confirmed it. There is
 * no offline queue: while Redis is unreachable, `emit` rejects with `RedisUnavailableError`.
 * @publicApi
 */
// Status is typed `string` (values: RedisStreamsStatus) so the class fits `ClientsModule` `customClass`.
export class ClientRedisStreams extends ClientProxy<RedisStreamsEvents> {
  protected readonly logger = new Logger(ClientRedisStreams.name);
  protected readonly keys: StreamKeys;
  private redis: RedisConnection | undefined;
  private scripts: RedisStreamsScripts | undefined;
  private replies: ReplyListener | undefined;
  private corked = false;
  private isManuallyClosed = false;
  private pendingListeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];

  private readonly publishContext: PublishContext;

  constructor(protected readonly options: RedisStreamsClientOptions = {}) {
    super();
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
    this.publishContext = { keys: this.keys, serializer: this.serializer, options };
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
    await this.replies?.close();
    await closeConnection(this.redis);
  }

  /** The ioredis connection. */
  unwrap<T = RedisConnection>(): T {
    if (!this.redis) throw new Error('Not initialized. Please call the "connect" method first.');
    return this.redis as T;
  }

  /** Listens to an ioredis event of the connection. */
  override on<K extends keyof RedisStreamsEvents>(event: K, callback: RedisStreamsEvents[K]): void {
    if (this.redis) this.redis.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
    else this.pendingListeners.push({ event, callback });
  }

  /**
   * Publishes many messages to one topic in one pipelined round trip; resolves with their message
   * ids in input order. Rejects with `BatchPublishError` (per-item results) if any item failed.
   */
  async emitBatch<TInput = unknown>(topic: string, items: (TInput | RedisStreamsRecord<TInput>)[]): Promise<string[]> {
    const name = this.topicOf(topic);
    const prepared = items.map(item => preparePublish(this.publishContext, name, this.createPacket(topic, item)));
    const redis = await this.connect();
    const pipeline = redis.pipeline();
    for (const p of prepared) this.queueWrite(pipeline, name, p);
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      throw asPublishError(err, name);
    }
    const results: BatchItemResult[] = prepared.map((p, i) => {
      const [err, reply] = replies[i] ?? [new Error('no reply'), undefined];
      try {
        if (err) throw asPublishError(err, name);
        return { messageId: this.settlePublish(name, p, reply) };
      } catch (error) {
        return { error: error as Error };
      }
    });
    if (results.some(r => 'error' in r)) throw new BatchPublishError(name, results);
    return results.map(r => (r as { messageId: string }).messageId);
  }

  /**
   * Publishes an event; the Observable yields its message id once Redis confirmed it. Like Nest's
   * `emit` it publishes at once, subscribed or not, but without an Observable pipeline per message:
   * this is the producer's hot path.
   */
  override emit<TResult = string, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (pattern == null || data == null) {
      return throwError(() => new TypeError('emit() needs a message pattern and data (got undefined/null)'));
    }
    let published: Promise<string>;
    try {
      const topic = this.topicOf(pattern);
      published = this.write(topic, preparePublish(this.publishContext, topic, this.createPacket(pattern, data)));
    } catch (err) {
      published = Promise.reject(err);
    }
    published.catch(() => undefined); // as with Nest's emit, nobody has to subscribe to a failure
    return from(published) as Observable<TResult>;
  }

  /** Appends one message to the topic's stream (or delayed set); resolves with its message id. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const topic = this.topicOf(packet.pattern);
    return (await this.write(topic, preparePublish(this.publishContext, topic, packet))) as T;
  }

  /**
   * Request/response (`send()`): the request carries a correlation id and this instance's private
   * reply stream; replies are routed back by the reply listener, or time out after `requestTimeoutMs`.
   */
  protected publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const topic = this.topicOf(packet.pattern);
      const replies = (this.replies ??= this.createReplyListener());
      const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const stop = replies.register(packet.id, topic, timeoutMs, callback);
      this.write(topic, preparePublish(this.publishContext, topic, packet, { correlationId: packet.id, replyTo: replies.key })).catch(err => {
        stop();
        callback({ err, isDisposed: true });
      });
      return stop;
    } catch (err) {
      callback({ err, isDisposed: true });
      return () => undefined;
    }
  }

  private async write(topic: string, prepared: PreparedPublish): Promise<string> {
    const redis =
      this.redis?.status === 'ready'
        ? this.redis
        : await this.connect().catch((err: RedisUnavailableError) => {
            throw new RedisUnavailableError(err.reason ?? err.message, topic);
          });
    this.corkOnce(redis);
    let reply: unknown;
    try {
      reply = prepared.script
        ? await this.scripts!.publish(prepared.script)
        : await redis.xadd(this.keys.stream(topic), '*', ...prepared.fields);
    } catch (err) {
      throw asPublishError(err, topic);
    }
    return this.settlePublish(topic, prepared, reply);
  }

  protected topicOf(pattern: unknown): string {
    const topic = this.normalizePattern(pattern as string);
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidTopicError(pattern);
    return topic;
  }

  private queueWrite(pipeline: ChainableCommander, topic: string, p: PreparedPublish): void {
    if (p.script) this.scripts!.queuePublish(pipeline, p.script);
    else pipeline.xadd(this.keys.stream(topic), '*', ...p.fields);
  }

  /** Interprets the write's reply (entry id, or the publish script's code), reports it, returns the id. */
  private settlePublish(topic: string, p: PreparedPublish, reply: unknown): string {
    const { messageId, entryId } = p.script
      ? toPublishOutcome(reply as [number, string], { topic, messageId: p.envelope.id, maxLen: p.script.maxLen })
      : { messageId: p.envelope.id, entryId: reply as string };
    if (messageId === p.envelope.id) {
      this.options.observer?.onMessagePublished?.({
        topic,
        messageId,
        entryId,
        publishedAt: p.envelope.publishedAt,
        deliverAt: p.envelope.deliverAt,
        key: p.envelope.key,
        headers: p.envelope.headers ?? {},
        payloadSize: p.envelope.data.length,
      });
    }
    return messageId;
  }

  /**
   * Concurrent emits of one event-loop turn leave in one socket write: cork the socket at the first
   * and uncork on the next tick. Measured cheaper than ioredis auto-pipelining (which re-queues
   * every command) on the producer's hot path.
   */
  private corkOnce(redis: RedisConnection): void {
    if (this.corked || redis instanceof Cluster) return;
    const socket = redis.stream;
    if (!socket?.writable) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private createReplyListener(): ReplyListener {
    const reader = createRedisConnection(this.options.connection, {
      offlineQueue: true,
      isClosed: () => this.isManuallyClosed,
    });
    reader.on('error', () => undefined); // the command connection reports outages
    return new ReplyListener(
      this.keys.replies(randomUUID()),
      reader,
      () => this.redis,
      this.deserializer,
      this.logger,
    );
  }

  private createConnection(): RedisConnection {
    const redis = createRedisConnection(this.options.connection, {
      offlineQueue: false,
      commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      isClosed: () => this.isManuallyClosed,
      // A cluster routes per slot: there auto-pipelining batches the writes (standalone: see corkOnce).
      autoPipelining: isClusterConnection(this.options.connection),
    });
    this.scripts = new RedisStreamsScripts(redis);
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

/** A reply error from Redis and our own errors pass as they are; anything else means the write was not confirmed. */
function asPublishError(err: unknown, topic: string): Error {
  const name = (err as Error)?.name;
  if (name === 'ReplyError' || name === 'TopicFullError') return err as Error;
  return new RedisUnavailableError((err as Error)?.message ?? String(err), topic);
}
