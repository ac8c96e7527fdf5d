import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createRedisConnection, isClusterConnection, type RedisConnection } from '../connection/create-redis-connection.js';
import { DEFAULT_BLOCK_MS, DEFAULT_GROUP, DEFAULT_PREFIX, DEFAULT_SHUTDOWN_TIMEOUT_MS, REDIS_STREAMS_TRANSPORT } from '../constants.js';
import type { RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import { RedisStreamsStatus, type RedisStreamsEvents } from '../events/redis-streams.events.js';
import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import type { RetryOptions } from '../interfaces/retry-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { PayloadPipeline } from '../payload/payload-pipeline.js';
import { resolveRetryPolicy } from '../retry/backoff.js';
import { resolveConsumerSetup } from './consumer-setup.js';
import { withDeadline } from './deadline.js';
import type { InvokeHandlers } from './delivery.js';
import { GroupConsumer } from './group-consumer.js';
import { createHandlerInvoker, type HandlerFn } from './handler-invoker.js';
import { wrapInvoker } from './payload-invoker.js';
import { installOriginalErrorCapture } from './original-error-capture.js';
import { createRequestInvoker } from './request-invoker.js';
import { consumerKey, ServerRuntime } from './server-runtime.js';
import { Settler } from './settler.js';
import { WakeUpReader } from './wake-up-reader.js';

/** State of one (topic, group) consumer, for health checks. */
export interface ConsumerState {
  topic: string;
  group: string;
  consumer: string;
  alive: boolean;
  /** True while the group is paused (`RedisStreamsAdmin.pauseGroup`). */
  paused: boolean;
  /** Epoch ms of its last read, or, while it waits for new entries, of the wake-up reader's last answer. */
  lastReadAt: number;
}

/**
 * Nest transport strategy consuming every `@EventPattern` topic through a Redis Streams consumer
 * group: ack on success only, durable group-private retries, dead letters, crash recovery.
 *
 * Its standing cost does not grow with the topics and groups it consumes: one command connection
 * for every non-blocking read, script and ack; one wake-up connection blocked in a single XREAD
 * over the streams of drained consumers (on a Redis Cluster, one per topic); one timer for
 * everything due (delayed messages of the whole prefix, retries); one maintenance tick (control
 * events such as pause, a heartbeat, takeover of crashed consumers, leases, trimming).
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
  private readonly isCluster: boolean;
  /** Payload decoding is configuration, not per-consumer state: one pipeline for every consumer. */
  private readonly payload: PayloadPipeline;
  private runtime: ServerRuntime | undefined;
  private listening: Promise<void> | undefined;
  /** Running consumers by `topic \0 group`. */
  private readonly consumers = new Map<string, GroupConsumer>();
  /** Wake-up readers: one (key '') on a standalone Redis, one per topic on a cluster. */
  private readonly wakeUps = new Map<string, WakeUpReader>();
  private pendingListeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];
  private isManuallyClosed = false;
  /** Set once a Nest processing hook is installed; until then handlers are called directly. */
  private hasProcessingHooks = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisStreamsServerOptions = {}) {
    super();
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.consumerName = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.isCluster = isClusterConnection(options.connection);
    this.payload = new PayloadPipeline(options.payload ?? {});
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
    installOriginalErrorCapture();
  }

  /**
   * Connects, creates every handler's consumer group, starts consuming. Calling it again while
   * listening starts nothing new (and opens no second connection).
   */
  async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    if (this.listening) {
      await this.listening.then(() => callback(), err => callback(err));
      return;
    }
    this.listening = this.start();
    try {
      await this.listening;
      callback();
    } catch (err) {
      await this.close();
      callback(err);
    }
  }

  private async start(): Promise<void> {
    const runtime = new ServerRuntime(this.connect('command'), this.keys, this.options, this.consumerName, this.consumers, this.logger);
    this.runtime = runtime;
    const died = await runtime.start();
    const starts: Promise<void>[] = [];
    for (const [topic, groups] of this.collectHandlers()) {
      for (const [group, handlers] of groups) {
        starts.push(this.startConsumer(topic, group, handlers, (handlers[0].extras ?? {}) as RedisStreamsHandlerExtras));
      }
    }
    await Promise.all(starts);
    // Peers that died before this server started (e.g. the process it replaces): sweep soon.
    for (const lastBeatAt of died) runtime.maintenance.peerDied(lastBeatAt, [...this.consumers.values()]);
  }

  /**
   * Starts consuming `topic` as `extras.group` (default: the server's group, as for `@EventPattern`)
   * after `listen`, with a plain handler: return = ack, throw = retry / dead letter per policy. For
   * consumers that appear at run time (e.g. webhooks).
   */
  async subscribe(
    topic: string,
    handler: (data: unknown, ctx: RedisStreamsContext) => unknown,
    extras: RedisStreamsHandlerExtras = {},
  ): Promise<void> {
    if (!this.runtime || this.isManuallyClosed) throw new Error('subscribe() needs a listening server');
    if (typeof handler !== 'function') throw new TypeError('subscribe() needs a handler function');
    await this.startConsumer(topic, extras.group ?? this.options.group ?? DEFAULT_GROUP, [handler], extras);
  }

  /** Stops consuming `topic` as `group` gracefully: in-flight handlers finish and are acked. */
  async unsubscribe(topic: string, group: string): Promise<void> {
    const consumer = this.consumers.get(consumerKey(topic, group));
    if (!consumer) return;
    this.consumers.delete(consumerKey(topic, group));
    this.runtime?.maintenance.removed(consumer, [...this.consumers.values()]);
    const timeout = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    await withDeadline(timeout, deadline => consumer.stop(deadline, timeout));
    if (this.isCluster && ![...this.consumers.values()].some(c => c.options.topic === topic)) {
      const reader = this.wakeUps.get(topic);
      this.wakeUps.delete(topic);
      reader?.stop();
      reader?.connection.disconnect();
    }
  }

  /**
   * Changes a running consumer's policy without a restart: `retry` and `deadLetter` apply from its
   * next failure (fields inherit the server's, as handler extras do), `concurrency` at once.
   */
  updatePolicy(topic: string, group: string, policy: { retry?: RetryOptions; deadLetter?: boolean; concurrency?: number }): void {
    const consumer = this.consumers.get(consumerKey(topic, group));
    if (!consumer) throw new Error(`No consumer for topic "${topic}" and group "${group}"`);
    consumer.updatePolicy({
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
      const runtime = this.runtime;
      runtime?.stop();
      // A blocked XREAD ends at once when its connection drops: no waiting for blockMs.
      for (const reader of this.wakeUps.values()) {
        reader.stop();
        reader.connection.disconnect();
      }
      // One timer for every consumer's stop, holding the process until close() is done.
      await withDeadline(timeout, deadline => Promise.all([...this.consumers.values()].map(c => c.stop(deadline, timeout))));
      await runtime?.close();
      this._status$.next(RedisStreamsStatus.CLOSED);
    })();
    return this.closing;
  }

  /** The ioredis connections: `[command, ...wake-up readers]`. */
  unwrap<T = RedisConnection[]>(): T {
    if (!this.runtime) {
      throw new Error('Not initialized. Please call the "listen"/"startAllMicroservices" method before accessing the server.');
    }
    return [this.runtime.command, ...[...this.wakeUps.values()].map(r => r.connection)] as T;
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
    if (!this.runtime) return;
    this.runtime.command.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
    for (const reader of this.wakeUps.values()) {
      reader.connection.on(event, (...args: unknown[]) => (callback as Function)('reader', ...args));
    }
  }

  /** Liveness of every consumer (used by the health indicator). */
  getConsumerStates(now = Date.now()): ConsumerState[] {
    return [...this.consumers.values()].map(c => ({
      topic: c.options.topic,
      group: c.options.group,
      consumer: this.consumerName,
      alive: !this.isManuallyClosed && c.isAlive(now),
      paused: c.paused,
      lastReadAt: c.heardAt,
    }));
  }

  private async startConsumer(topic: string, group: string, handlers: HandlerFn[], extras: RedisStreamsHandlerExtras) {
    const key = consumerKey(topic, group);
    if (this.consumers.has(key)) throw new Error(`Topic "${topic}" is already consumed by group "${group}"`);
    const runtime = this.runtime!;
    const invoke = wrapInvoker(this.createInvoker(runtime, topic, group, handlers), {
      topic,
      group,
      consumer: this.consumerName,
      payload: this.payload,
      tracing: this.options.tracing,
      handlerTimeoutMs: extras.handlerTimeoutMs ?? this.options.handlerTimeoutMs,
    });
    const consumer = this.createConsumer(runtime, topic, group, invoke, extras);
    this.consumers.set(key, consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.consumers.delete(key);
      throw err;
    }
    runtime.maintenance.added(consumer);
    this.options.observer?.onConsumerStarted?.({ topic, group, consumer: this.consumerName });
  }

  /** The consumer (and its settler) of one (topic, group). */
  private createConsumer(runtime: ServerRuntime, topic: string, group: string, invoke: InvokeHandlers, extras: RedisStreamsHandlerExtras) {
    const setup = resolveConsumerSetup(this.keys, this.options, this.consumerName, topic, group, extras);
    const settler = new Settler(runtime.command, runtime.scripts, setup.keys, setup.settler, this.logger, this.options.observer);
    const services = { wakeUp: this.wakeUpFor(topic), due: runtime.due };
    return new GroupConsumer(runtime.command, runtime.scripts, setup.keys, setup.consumer, settler, invoke, services, this.logger);
  }

  private createInvoker(runtime: ServerRuntime, topic: string, group: string, handlers: HandlerFn[]): InvokeHandlers {
    const base = { topic, group, consumer: this.consumerName, deserializer: this.options.deserializer };
    const isRequest = handlers.length === 1 && (handlers[0] as MessageHandler).isEventHandler === false;
    return isRequest
      ? createRequestInvoker({
          ...base,
          handler: handlers[0],
          serializer: this.serializer,
          command: runtime.command,
          handleRequest: (ctx, produce, respond) => this.handleRequest(ctx, produce, respond),
          toObservable: result => this.transformToObservable(result),
        })
      : createHandlerInvoker({
          ...base,
          handlers,
          runWithHooks: (ctx, fn) => this.runWithProcessingHooks(ctx, fn),
          hasHooks: () => this.hasProcessingHooks,
        });
  }

  /**
   * The wake-up reader of a topic: the server's only one on a standalone Redis. A cluster cannot
   * XREAD streams of different slots in one call (every topic has its own hash tag), so there each
   * topic gets its own blocking connection.
   */
  private wakeUpFor(topic: string): WakeUpReader {
    const key = this.isCluster ? topic : '';
    let reader = this.wakeUps.get(key);
    if (!reader) {
      reader = new WakeUpReader(this.connect('reader'), this.runtime!.command, this.options.blockMs ?? DEFAULT_BLOCK_MS, this.logger);
      this.wakeUps.set(key, reader);
      reader.start();
    }
    return reader;
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

