import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  closeConnection,
  createRedisConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_GROUP,
  DEFAULT_PREFIX,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  REDIS_STREAMS_TRANSPORT,
} from '../constants.js';
import type { RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import { RedisStreamsStatus, type RedisStreamsEvents } from '../events/redis-streams.events.js';
import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import type { RetryOptions } from '../interfaces/retry-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { resolveRetryPolicy } from '../retry/backoff.js';
import { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { createHandlerInvoker, type HandlerFn } from './handler-invoker.js';
import { installOriginalErrorCapture } from './original-error-capture.js';
import { createRequestInvoker } from './request-invoker.js';
import type { TopicConsumer } from './topic-consumer.js';
import { createTopicConsumer, createTopicScheduler, type TopicRuntimeDeps } from './topic-runtime.factory.js';
import type { TopicScheduler } from './topic-scheduler.js';

/** State of one (topic, group) read loop, for health checks. */
export interface ConsumerState {
  topic: string;
  group: string;
  consumer: string;
  alive: boolean;
  /** True while the group is paused (`RedisStreamsAdmin.pauseGroup`). */
  paused: boolean;
  lastReadAt: number;
}

/** A running consumer and the blocking connection it owns. */
interface RunningConsumer {
  consumer: TopicConsumer;
  reader: RedisConnection;
}

/**
 * Nest transport strategy consuming every `@EventPattern` topic through a Redis Streams consumer
 * group: ack on success only, durable group-private retries, dead letters, crash recovery.
 * @publicApi
 */
export class ServerRedisStreams
  extends Server<RedisStreamsEvents, RedisStreamsStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = REDIS_STREAMS_TRANSPORT;
  // Handler errors must reach the settler (retry / dead letter), as in ServerKafka.
  override propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(ServerRedisStreams.name);
  private readonly keys: StreamKeys;
  private readonly consumerName: string;
  private command: RedisConnection | undefined;
  private deps: TopicRuntimeDeps | undefined;
  /** Running consumers by `topic \0 group`. */
  private readonly consumers = new Map<string, RunningConsumer>();
  private readonly schedulers = new Map<string, TopicScheduler>();
  private pendingListeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];
  private isManuallyClosed = false;
  /** Set once a Nest processing hook is installed; until then handlers are called directly. */
  private hasProcessingHooks = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisStreamsServerOptions = {}) {
    super();
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.consumerName = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
    installOriginalErrorCapture();
  }

  /** Connects, creates every handler's consumer group, starts the read loops. */
  async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    try {
      this.command = this.connect('command');
      await waitUntilReady(this.command, DEFAULT_CONNECT_TIMEOUT_MS);
      this.deps = {
        command: this.command,
        scripts: new RedisStreamsScripts(this.command),
        keys: this.keys,
        options: this.options,
        consumerName: this.consumerName,
        logger: this.logger,
      };
      const starts: Promise<void>[] = [];
      for (const [topic, groups] of this.collectHandlers()) {
        for (const [group, handlers] of groups) {
          starts.push(this.startConsumer(topic, group, handlers, (handlers[0].extras ?? {}) as RedisStreamsHandlerExtras));
        }
      }
      await Promise.all(starts);
      callback();
    } catch (err) {
      await this.close();
      callback(err);
    }
  }

  /**
   * Starts consuming `topic` as `extras.group` after `listen`, with a plain handler: return = ack,
   * throw = retry / dead letter per policy. For consumers that appear at run time (e.g. webhooks).
   */
  async subscribe(
    topic: string,
    handler: (data: unknown, ctx: RedisStreamsContext) => unknown,
    extras: RedisStreamsHandlerExtras & { group: string },
  ): Promise<void> {
    if (!this.deps || this.isManuallyClosed) throw new Error('subscribe() needs a listening server');
    await this.startConsumer(topic, extras.group, [handler], extras);
  }

  /** Stops consuming `topic` as `group` gracefully: in-flight handlers finish and are acked. */
  async unsubscribe(topic: string, group: string): Promise<void> {
    const running = this.consumers.get(consumerKey(topic, group));
    if (!running) return;
    this.consumers.delete(consumerKey(topic, group));
    await running.consumer.stop(this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    await closeConnection(running.reader);
  }

  /**
   * Changes a running consumer's policy without a restart: `retry` and `deadLetter` apply from its
   * next failure (fields inherit the server's, as handler extras do), `concurrency` from its next read.
   */
  updatePolicy(topic: string, group: string, policy: { retry?: RetryOptions; deadLetter?: boolean; concurrency?: number }): void {
    const running = this.consumers.get(consumerKey(topic, group));
    if (!running) throw new Error(`No consumer for topic "${topic}" and group "${group}"`);
    running.consumer.updatePolicy({
      ...policy,
      retry: policy.retry ? resolveRetryPolicy(this.options.retry, policy.retry) : undefined,
    });
  }

  /**
   * Stops reading, waits up to `shutdownTimeoutMs` for in-flight handlers, acks them, and closes
   * the connections. Idempotent. A consumer that still owns pending entries is never deleted.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.isManuallyClosed = true;
      const timeout = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
      for (const scheduler of this.schedulers.values()) scheduler.stop();
      const running = [...this.consumers.values()];
      await Promise.all(running.map(r => r.consumer.stop(timeout)));
      await Promise.all([...running.map(r => r.reader), this.command].map(redis => closeConnection(redis)));
      this._status$.next(RedisStreamsStatus.CLOSED);
    })();
    return this.closing;
  }

  /** The ioredis connections: `[command, ...readers]`. */
  unwrap<T = RedisConnection[]>(): T {
    if (!this.command) {
      throw new Error('Not initialized. Please call the "listen"/"startAllMicroservices" method before accessing the server.');
    }
    return [this.command, ...[...this.consumers.values()].map(r => r.reader)] as T;
  }

  /** Installs Nest's processing start hook (e.g. tracing) around every handler call. */
  override setOnProcessingStartHook(...args: Parameters<Server['setOnProcessingStartHook']>): void {
    this.hasProcessingHooks = true;
    super.setOnProcessingStartHook(...args);
  }

  /** Installs Nest's processing end hook around every handler call. */
  override setOnProcessingEndHook(...args: Parameters<Server['setOnProcessingEndHook']>): void {
    this.hasProcessingHooks = true;
    super.setOnProcessingEndHook(...args);
  }

  /** Listens to an ioredis event on every connection (also those opened later). */
  on<K extends keyof RedisStreamsEvents>(event: K, callback: RedisStreamsEvents[K]): void {
    this.pendingListeners.push({ event, callback });
    if (!this.command) return;
    this.command.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
    for (const { reader } of this.consumers.values()) {
      reader.on(event, (...args: unknown[]) => (callback as Function)('reader', ...args));
    }
  }

  /** Liveness of every read loop (used by the health indicator). */
  getConsumerStates(now = Date.now()): ConsumerState[] {
    return [...this.consumers.values()].map(({ consumer: c }) => ({
      topic: c.options.topic,
      group: c.options.group,
      consumer: this.consumerName,
      alive: !this.isManuallyClosed && c.isAlive(now),
      paused: c.paused,
      lastReadAt: c.lastReadAt,
    }));
  }

  private async startConsumer(topic: string, group: string, handlers: HandlerFn[], extras: RedisStreamsHandlerExtras) {
    const key = consumerKey(topic, group);
    if (this.consumers.has(key)) throw new Error(`Topic "${topic}" is already consumed by group "${group}"`);
    const deps = this.deps!;
    const base = { topic, group, consumer: this.consumerName, deserializer: this.options.deserializer };
    const isRequest = handlers.length === 1 && (handlers[0] as MessageHandler).isEventHandler === false;
    const invoke = isRequest
      ? createRequestInvoker({
          ...base,
          handler: handlers[0],
          serializer: this.serializer,
          command: deps.command,
          handleRequest: (ctx, produce, respond) => this.handleRequest(ctx, produce, respond),
          toObservable: result => this.transformToObservable(result),
        })
      : createHandlerInvoker({
          ...base,
          handlers,
          runWithHooks: (ctx, fn) => this.runWithProcessingHooks(ctx, fn),
          hasHooks: () => this.hasProcessingHooks,
        });
    const reader = this.connect('reader');
    const consumer = createTopicConsumer(deps, reader, topic, group, extras, invoke);
    this.consumers.set(key, { consumer, reader });
    await consumer.start();
    if (!this.schedulers.has(topic)) {
      const scheduler = createTopicScheduler(deps, topic);
      this.schedulers.set(topic, scheduler);
      scheduler.start();
    }
    this.options.observer?.onConsumerStarted?.({ topic, group, consumer: this.consumerName });
  }

  /**
   * Topic → group → that group's handlers. Nest's chain of same-pattern event handlers is split by
   * group; a `@MessagePattern` handler (request/response) is one consumer of its own.
   */
  private collectHandlers(): Map<string, Map<string, MessageHandler[]>> {
    const topics = new Map<string, Map<string, MessageHandler[]>>();
    for (const [pattern, head] of this.messageHandlers) {
      const groups = new Map<string, MessageHandler[]>();
      for (let handler: MessageHandler | undefined = head; handler; ) {
        const next: MessageHandler | undefined = handler.next;
        handler.next = undefined; // we call each handler ourselves, per group
        const group = (handler.extras as RedisStreamsHandlerExtras | undefined)?.group ?? this.options.group ?? DEFAULT_GROUP;
        groups.set(group, [...(groups.get(group) ?? []), handler]);
        handler = next;
      }
      topics.set(pattern, groups);
    }
    return topics;
  }

  private connect(role: 'command' | 'reader'): RedisConnection {
    const redis = createRedisConnection(this.options.connection, {
      offlineQueue: true,
      isClosed: () => this.isManuallyClosed,
      connectionName: `${this.consumerName}:${role}`,
    });
    redis.on('error', (err: Error) => {
      if (!this.isManuallyClosed) this.logger.error(`Redis ${role} connection: ${err.message}`);
    });
    if (role === 'command') {
      redis.on('ready', () => this._status$.next(RedisStreamsStatus.CONNECTED));
      redis.on('reconnecting', () => !this.isManuallyClosed && this._status$.next(RedisStreamsStatus.RECONNECTING));
      redis.on('end', () => !this.isManuallyClosed && this._status$.next(RedisStreamsStatus.DISCONNECTED));
    }
    for (const { event, callback } of this.pendingListeners) {
      redis.on(event, (...args: unknown[]) => callback(role, ...args));
    }
    return redis;
  }
}

function consumerKey(topic: string, group: string): string {
  return `${topic}\u0000${group}`;
}

