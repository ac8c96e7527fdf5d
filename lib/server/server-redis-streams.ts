import { Logger } from '@nestjs/common';
import {
  type CustomTransportStrategy,
  type MessageHandler,
  Server,
} from '@nestjs/microservices';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import type { DecodedEnvelope } from '../codec/envelope.js';
import {
  createRedisConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_BLOCK_MS,
  DEFAULT_CLAIM_IDLE_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DELAYED_POLL_MS,
  DEFAULT_GROUP,
  DEFAULT_HOUSEKEEPING_INTERVAL_MS,
  DEFAULT_PREFIX,
  DEFAULT_RETENTION_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  REDIS_STREAMS_TRANSPORT,
} from '../constants.js';
import { ORIGINAL_ERROR, RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import { RedisStreamsStatus, type RedisStreamsEvents } from '../events/redis-streams.events.js';
import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { resolveRetryPolicy } from '../retry/backoff.js';
import { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { installOriginalErrorCapture } from './original-error-capture.js';
import { Settler, type Delivery } from './settler.js';
import { TopicConsumer } from './topic-consumer.js';
import { TopicScheduler } from './topic-scheduler.js';

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
  private readonly readers: RedisConnection[] = [];
  private readonly consumers: TopicConsumer[] = [];
  private readonly schedulers: TopicScheduler[] = [];
  private pendingListeners: { event: keyof RedisStreamsEvents; callback: Function }[] = [];
  private isManuallyClosed = false;
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
      const scripts = new RedisStreamsScripts(this.command);
      for (const [topic, handlers] of this.collectEventHandlers()) {
        for (const [group, groupHandlers] of handlers) {
          this.consumers.push(this.createConsumer(scripts, topic, group, groupHandlers));
        }
        this.schedulers.push(this.createScheduler(scripts, topic));
      }
      await Promise.all(this.consumers.map(consumer => consumer.start()));
      for (const scheduler of this.schedulers) scheduler.start();
      for (const c of this.consumers) {
        this.options.observer?.onConsumerStarted?.({ topic: c.options.topic, group: c.options.group, consumer: this.consumerName });
      }
      callback();
    } catch (err) {
      await this.close();
      callback(err);
    }
  }

  /**
   * Stops reading, waits up to `shutdownTimeoutMs` for in-flight handlers, acks them, and closes
   * the connections. Idempotent. A consumer that still owns pending entries is never deleted.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.isManuallyClosed = true;
      const timeout = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
      for (const scheduler of this.schedulers) scheduler.stop();
      await Promise.all(this.consumers.map(consumer => consumer.stop(timeout)));
      await Promise.all([...this.readers, this.command].map(quit));
      this._status$.next(RedisStreamsStatus.CLOSED);
    })();
    return this.closing;
  }

  /** The ioredis connections: `[command, ...readers]`. */
  unwrap<T = RedisConnection[]>(): T {
    if (!this.command) {
      throw new Error('Not initialized. Please call the "listen"/"startAllMicroservices" method before accessing the server.');
    }
    return [this.command, ...this.readers] as T;
  }

  /** Listens to an ioredis event on every connection. */
  on<K extends keyof RedisStreamsEvents>(event: K, callback: RedisStreamsEvents[K]): void {
    if (!this.command) {
      this.pendingListeners.push({ event, callback });
      return;
    }
    this.command.on(event, (...args: unknown[]) => (callback as Function)('command', ...args));
    for (const reader of this.readers) reader.on(event, (...args: unknown[]) => (callback as Function)('reader', ...args));
  }

  /** Liveness of every read loop (used by the health indicator). */
  getConsumerStates(now = Date.now()): ConsumerState[] {
    return this.consumers.map(c => ({
      topic: c.options.topic,
      group: c.options.group,
      consumer: this.consumerName,
      alive: !this.isManuallyClosed && c.isAlive(now),
      paused: c.paused,
      lastReadAt: c.lastReadAt,
    }));
  }

  /** Topic → group → that group's handlers; Nest's chain of same-pattern handlers is split by group. */
  private collectEventHandlers(): Map<string, Map<string, MessageHandler[]>> {
    const topics = new Map<string, Map<string, MessageHandler[]>>();
    for (const [pattern, head] of this.messageHandlers) {
      if (!head.isEventHandler) {
        this.logger.warn(`@MessagePattern("${pattern}") is not served by ServerRedisStreams yet; use @EventPattern`);
        continue;
      }
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

  private createConsumer(scripts: RedisStreamsScripts, topic: string, group: string, handlers: MessageHandler[]) {
    const extras = (handlers[0].extras ?? {}) as RedisStreamsHandlerExtras;
    const o = this.options;
    const keys = {
      stream: this.keys.stream(topic),
      deadLetter: this.keys.deadLetter(topic),
      deadLetterRefs: this.keys.deadLetterRefs(topic),
      paused: this.keys.paused(topic),
      retry: this.keys.retry(topic, group),
      failures: this.keys.failures(topic, group),
    };
    const options = {
      topic,
      group,
      consumer: this.consumerName,
      concurrency: extras.concurrency ?? o.concurrency ?? DEFAULT_CONCURRENCY,
      batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
      blockMs: o.blockMs ?? DEFAULT_BLOCK_MS,
      claimIdleMs: extras.claimIdleMs ?? o.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS,
      startFrom: extras.startFrom ?? o.startFrom ?? 'latest',
    } as const;
    let consumer: TopicConsumer | undefined;
    const settler = new Settler(
      this.command!,
      scripts,
      keys,
      {
        topic,
        group,
        consumer: this.consumerName,
        retry: resolveRetryPolicy(o.retry, extras.retry),
        deadLetter: extras.deadLetter ?? o.deadLetter ?? true,
      },
      this.logger,
      o.observer,
      dueAt => consumer?.retryScheduled(dueAt),
    );
    const reader = this.connect('reader');
    consumer = new TopicConsumer(this.command!, reader, scripts, keys, options, settler, this.createInvoker(topic, group, handlers), this.logger);
    return consumer;
  }

  private createScheduler(scripts: RedisStreamsScripts, topic: string): TopicScheduler {
    const o = this.options;
    return new TopicScheduler(
      scripts,
      { stream: this.keys.stream(topic), delayed: this.keys.delayed(topic), deadLetterRefs: this.keys.deadLetterRefs(topic) },
      {
        topic,
        delayedPollMs: o.delayedPollMs ?? DEFAULT_DELAYED_POLL_MS,
        retentionMs: o.retentionMs ?? DEFAULT_RETENTION_MS,
        housekeepingIntervalMs: o.housekeepingIntervalMs ?? DEFAULT_HOUSEKEEPING_INTERVAL_MS,
      },
      this.logger,
    );
  }

  private createInvoker(topic: string, group: string, handlers: MessageHandler[]) {
    return async (envelope: DecodedEnvelope, delivery: Delivery): Promise<void> => {
      const ctx = new RedisStreamsContext([
        topic, envelope.id, delivery.entryId, group, this.consumerName,
        delivery.attempt, envelope.headers, envelope.publishedAt, envelope.key,
      ]);
      const raw = { pattern: topic, data: envelope.data, metadata: envelope.headers };
      const decoded = this.deserializer.deserialize(raw, { channel: topic });
      const packet = decoded instanceof Promise ? await decoded : decoded;
      try {
        if (handlers.length === 1) await this.runHandler(handlers[0], packet.data, ctx);
        else await Promise.all(handlers.map(handler => this.runHandler(handler, packet.data, ctx)));
      } catch (err) {
        throw ctx[ORIGINAL_ERROR] ?? err;
      }
    };
  }

  /**
   * Awaits a handler's value, Promise or Observable, as ServerKafka#handleEvent does, inside Nest's
   * processing hooks. The outcome is taken from our own promise: a start hook need not return one.
   */
  private runHandler(handler: MessageHandler, data: unknown, ctx: RedisStreamsContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.runWithProcessingHooks(ctx, async runEndHook => {
        try {
          const resultOrStream = await handler(data, ctx);
          if (isObservable(resultOrStream)) {
            await lastValueFrom(resultOrStream.pipe(finalize(runEndHook)), { defaultValue: undefined });
          } else {
            runEndHook();
          }
          resolve();
        } catch (err) {
          runEndHook();
          reject(err);
        }
      });
    });
  }

  private connect(role: 'command' | 'reader'): RedisConnection {
    const redis = createRedisConnection(this.options.connection, {
      offlineQueue: true,
      isClosed: () => this.isManuallyClosed,
      connectionName: `${this.consumerName}:${role}`,
    });
    if (role === 'reader') this.readers.push(redis);
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

async function quit(redis: RedisConnection | undefined): Promise<void> {
  if (!redis || redis.status === 'end') return;
  const timer = setTimeout(() => redis.disconnect(), 2_000);
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
