import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { InvalidMessageException } from '@nestjs/microservices/errors/invalid-message.exception.js';
import { Observable, throwError } from 'rxjs';
import { Cluster } from 'ioredis';
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
import { PayloadPipeline } from '../payload/payload-pipeline.js';
import { RedisStreamsRecord } from '../record-builders/redis-streams.record-builder.js';
import { toPublishOutcome } from '../scripts/publish-result.js';
import { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { PublishBatcher } from './publish-batcher.js';
import { preparePublish, type PreparedPublish, type PublishContext } from './prepare-publish.js';
import { toPublishError } from './publish-failure.js';
import { ReplyListener } from './reply-listener.js';

/** One connection of the client and the script caller bound to it; replaced after `close()`. */
interface ClientConnection {
  redis: RedisConnection;
  scripts: RedisStreamsScripts;
  batcher: PublishBatcher;
}

/**
 * `ClientProxy` publishing to Redis Streams: `emit(topic, data)` appends one entry to the topic's
 * stream (or its delayed set) and resolves with the message id once Redis confirmed it.
 *
 * Outcomes are never guessed: there is no offline queue and no automatic re-send. While Redis is
 * unreachable, `emit` rejects with `RedisUnavailableError` (not written); when a write was sent but
 * its reply never came (command timeout, connection lost), it rejects with
 * `PublishOutcomeUnknownError`. Like Nest's own clients, a closed client connects again on the
 * next `emit()`, `send()` or `connect()` (e.g. one `ClientsModule` instance shared by two apps).
 * @publicApi
 */
// Status is typed `string` (values: RedisStreamsStatus) so the class fits `ClientsModule` `customClass`.
export class ClientRedisStreams extends ClientProxy<RedisStreamsEvents> {
  protected readonly logger = new Logger(ClientRedisStreams.name);
  protected readonly keys: StreamKeys;
  private conn: ClientConnection | undefined;
  /** The pending wait for the current connection to be ready, shared by every caller. */
  private connecting: Promise<RedisConnection> | undefined;
  private replies: ReplyListener | undefined;
  private corked = false;
  /** Listeners given to `on()`: attached to the current connection and to every later one. */
  private readonly listeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];

  private readonly publishContext: PublishContext;

  constructor(protected readonly options: RedisStreamsClientOptions = {}) {
    super();
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
    this.publishContext = {
      keys: this.keys,
      serializer: this.serializer,
      options,
      payload: options.payload && new PayloadPipeline(options.payload),
      tracing: options.tracing,
    };
  }

  /**
   * Connects (again, after `close()`) and resolves when Redis is ready; rejects with
   * `RedisUnavailableError` after `connectTimeoutMs`. Concurrent callers share one wait.
   */
  connect(): Promise<RedisConnection> {
    const { redis } = (this.conn ??= this.createConnection());
    if (redis.status === 'ready') return Promise.resolve(redis);
    if (this.connecting) return this.connecting;
    const connecting = waitUntilReady(redis, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS).then(
      () => redis,
      (err: Error) => {
        throw new RedisUnavailableError(err.message);
      },
    );
    this.connecting = connecting;
    const clear = () => {
      if (this.connecting === connecting) this.connecting = undefined;
    };
    connecting.then(clear, clear);
    return connecting;
  }

  /**
   * Closes the connections and deletes the reply stream; pending `send()`s fail. Idempotent. The
   * client stays usable: the next `emit()`, `send()` or `connect()` opens a new connection.
   */
  async close(): Promise<void> {
    const { conn, replies } = this;
    this.conn = undefined;
    this.replies = undefined;
    this.connecting = undefined;
    conn?.batcher.flushAll(); // what was emitted before close() is written before the connection closes
    await replies?.close(conn?.redis);
    await closeConnection(conn?.redis);
    if (conn) this._status$.next(RedisStreamsStatus.CLOSED);
  }

  /** The ioredis connection. */
  unwrap<T = RedisConnection>(): T {
    if (!this.conn) throw new Error('Not initialized. Please call the "connect" method first.');
    return this.conn.redis as T;
  }

  /** Listens to an ioredis event of the connection (also of the connections opened after a `close()`). */
  override on<K extends keyof RedisStreamsEvents>(event: K, callback: RedisStreamsEvents[K]): void {
    this.listeners.push({ event, callback });
    this.conn?.redis.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
  }

  /**
   * Publishes many messages to one topic in one pipelined round trip; resolves with their message
   * ids in input order. Rejects with `BatchPublishError` (per-item results: a message id, or
   * `RedisUnavailableError` / `PublishOutcomeUnknownError` / `TopicFullError`) if any item failed.
   */
  async emitBatch<TInput = unknown>(topic: string, items: (TInput | RedisStreamsRecord<TInput>)[]): Promise<string[]> {
    if (topic == null || items == null || items.some(item => item == null)) throw new InvalidMessageException();
    const name = this.topicOf(topic);
    const prepared = items.map(item => preparePublish(this.publishContext, name, this.createPacket(topic, item)));
    await this.writableConnection(name);
    // Written in this turn: the plain ones leave as one batch call, in input order with the others.
    const settled = await Promise.allSettled(prepared.map(p => this.write(name, p)));
    const results: BatchItemResult[] = settled.map(s => (s.status === 'fulfilled' ? { messageId: s.value } : { error: s.reason as Error }));
    if (results.some(r => 'error' in r)) throw new BatchPublishError(name, results);
    return results.map(r => (r as { messageId: string }).messageId);
  }

  /**
   * Publishes an event; the Observable yields its message id once Redis confirmed it. Like Nest's
   * `emit` it publishes at once, subscribed or not, but without an Observable pipeline per message:
   * this is the producer's hot path. A missing pattern or data errors with Nest's
   * `InvalidMessageException`, as Nest's clients do.
   */
  override emit<TResult = string, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (pattern == null || data == null) return throwError(() => new InvalidMessageException());
    let published: Promise<string>;
    try {
      const topic = this.topicOf(pattern);
      published = this.write(topic, preparePublish(this.publishContext, topic, this.createPacket(pattern, data)));
    } catch (err) {
      published = Promise.reject(err);
    }
    published.catch(() => undefined); // as with Nest's emit, nobody has to subscribe to a failure
    return new Observable<TResult>(subscriber => {
      published.then(
        messageId => {
          subscriber.next(messageId as TResult);
          subscriber.complete();
        },
        err => subscriber.error(err),
      );
    });
  }

  /** Appends one message to the topic's stream (or delayed set); resolves with its message id. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const topic = this.topicOf(packet.pattern);
    return (await this.write(topic, preparePublish(this.publishContext, topic, packet))) as T;
  }

  /**
   * Request/response (`send()`): the request carries a correlation id and this instance's private
   * reply stream; replies are routed back by the reply listener, or time out after `requestTimeoutMs`.
   * A request gets one answer and an error is an answer: a handler's error reaches the caller at
   * once and is not retried. A request whose consumer crashed is taken over like any message; if
   * the caller had already received values of the crashed attempt, the response errors with
   * `ReplyInterruptedError` instead of mixing in the new attempt's values.
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

  /**
   * Writes one message and interprets the reply. A plain message joins this turn's batch of its
   * stream (see `PublishBatcher`); one that needs the publish script is sent at once, after the
   * batch of its stream, so the order of emits per topic is kept.
   */
  private write(topic: string, prepared: PreparedPublish): Promise<string> {
    const current = this.conn;
    // Ready connection: no await before the write, so it joins this turn's batch.
    const reply =
      current?.redis.status === 'ready'
        ? this.writeTo(current, topic, prepared)
        : this.writableConnection(topic).then(conn => this.writeTo(conn, topic, prepared));
    return reply.then(
      value => this.settle(topic, prepared, value),
      err => {
        const error = toPublishError(err, topic, prepared.envelope.id);
        prepared.sent?.(error);
        throw error;
      },
    );
  }

  private writeTo({ redis, scripts, batcher }: ClientConnection, topic: string, prepared: PreparedPublish): Promise<unknown> {
    const stream = this.keys.stream(topic);
    if (!prepared.script) return batcher.append(stream, prepared.fields);
    batcher.flush(stream);
    this.corkOnce(redis);
    return scripts.publish(prepared.script);
  }

  private settle(topic: string, prepared: PreparedPublish, reply: unknown): string {
    if (!prepared.sent) return this.settlePublish(topic, prepared, reply);
    try {
      const messageId = this.settlePublish(topic, prepared, reply);
      prepared.sent();
      return messageId;
    } catch (err) {
      prepared.sent(err);
      throw err;
    }
  }

  /**
   * A ready connection, or `RedisUnavailableError`: whatever is sent next is sent now (no offline
   * queue), so a failure from here on means the write left and its outcome is unknown.
   */
  private async writableConnection(topic: string): Promise<ClientConnection> {
    let conn = this.conn;
    if (conn?.redis.status !== 'ready') {
      await this.connect().catch((err: RedisUnavailableError) => {
        throw new RedisUnavailableError(err.reason ?? err.message, topic);
      });
      conn = this.conn;
    }
    if (!conn || conn.redis.status !== 'ready') {
      throw new RedisUnavailableError(conn ? `connection ${conn.redis.status}` : 'client closed', topic);
    }
    return conn;
  }

  protected topicOf(pattern: unknown): string {
    const topic = this.normalizePattern(pattern as string);
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidTopicError(pattern);
    return topic;
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
    let listener: ReplyListener | undefined;
    const reader = createRedisConnection(this.options.connection, {
      offlineQueue: true,
      isClosed: () => this.replies !== listener,
    });
    reader.on('error', () => undefined); // the command connection reports outages
    listener = new ReplyListener(
      this.keys.replies(randomUUID()),
      reader,
      () => this.conn?.redis,
      this.deserializer,
      this.logger,
    );
    return listener;
  }

  private createConnection(): ClientConnection {
    const redis = createRedisConnection(this.options.connection, {
      offlineQueue: false,
      commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      // A connection left behind by close() stops reconnecting; a new one replaces it.
      isClosed: () => this.conn?.redis !== redis,
      // A cluster routes per slot: there auto-pipelining batches the writes (standalone: see corkOnce).
      autoPipelining: isClusterConnection(this.options.connection),
    });
    const isCurrent = () => this.conn?.redis === redis;
    redis.on('error', (err: Error) => {
      if (isCurrent()) this.logger.error(`Redis connection: ${err.message}`);
    });
    redis.on('ready', () => isCurrent() && this._status$.next(RedisStreamsStatus.CONNECTED));
    redis.on('reconnecting', () => isCurrent() && this._status$.next(RedisStreamsStatus.RECONNECTING));
    redis.on('end', () => isCurrent() && this._status$.next(RedisStreamsStatus.DISCONNECTED));
    for (const { event, callback } of this.listeners) {
      redis.on(event, (...args: unknown[]) => callback('command', ...args));
    }
    const scripts = new RedisStreamsScripts(redis);
    return { redis, scripts, batcher: new PublishBatcher(redis, scripts) };
  }
}
