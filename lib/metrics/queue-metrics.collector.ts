import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsMonitor } from '../module/redis-streams-monitor.js';
import { REDIS_STREAMS_METRICS_OPTIONS } from '../module/redis-streams.tokens.js';
import type { RedisStreamsMetricsOptions } from './interfaces/redis-streams-metrics-options.interface.js';
import {
  MQ_CONSUMER_LAG,
  MQ_CONSUMER_LAG_SECONDS,
  MQ_CONSUMERS,
  MQ_DEAD_LETTER_QUEUE_SIZE,
  MQ_DELAYED_MESSAGES,
  MQ_OLDEST_PENDING_AGE_SECONDS,
  MQ_PENDING_MESSAGES,
  MQ_QUEUE_SIZE,
  MQ_SCHEDULED_RETRIES,
} from './metrics.constants.js';

/** Metrics options after the module resolved them. */
export interface ResolvedMetricsOptions extends Required<RedisStreamsMetricsOptions> {
  enabled: boolean;
}

/** One consumer group as XINFO GROUPS reports it. */
interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** `null` when Redis cannot tell (entries were deleted or trimmed out of order). */
  lag: number | null;
}

type PipelineResult = [Error | null, unknown][] | null;

/**
 * Refreshes the queue gauges from Redis on an interval, never per message: stream length,
 * delayed and dead-letter counts per topic; pending, lag (entries and seconds), oldest pending
 * age, consumers and scheduled retries per group. Topics are the ones this process consumes or
 * publishes to (reported by the observer) plus `metrics.topics`; groups are every group Redis
 * knows for them, so a producer-only app reports its consumers' backlog too.
 * @publicApi
 */
@Injectable()
export class QueueMetricsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueMetricsCollector.name);
  private readonly topics = new Set<string>();
  private readonly groupsSeen = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastWarnAt = 0;

  constructor(
    @InjectMetric(MQ_QUEUE_SIZE) private readonly queueSize: Gauge<string>,
    @InjectMetric(MQ_DELAYED_MESSAGES) private readonly delayed: Gauge<string>,
    @InjectMetric(MQ_DEAD_LETTER_QUEUE_SIZE) private readonly deadLetters: Gauge<string>,
    @InjectMetric(MQ_PENDING_MESSAGES) private readonly pending: Gauge<string>,
    @InjectMetric(MQ_CONSUMER_LAG) private readonly lag: Gauge<string>,
    @InjectMetric(MQ_CONSUMER_LAG_SECONDS) private readonly lagSeconds: Gauge<string>,
    @InjectMetric(MQ_OLDEST_PENDING_AGE_SECONDS) private readonly oldestPending: Gauge<string>,
    @InjectMetric(MQ_CONSUMERS) private readonly consumers: Gauge<string>,
    @InjectMetric(MQ_SCHEDULED_RETRIES) private readonly scheduledRetries: Gauge<string>,
    @Inject(RedisStreamsMonitor) private readonly monitor: RedisStreamsMonitor,
    @Inject(StreamKeys) private readonly keys: StreamKeys,
    @Inject(REDIS_STREAMS_METRICS_OPTIONS) private readonly options: ResolvedMetricsOptions,
  ) {
    for (const topic of options.topics) this.topics.add(topic);
  }

  /** Starts the refresh timer. */
  onApplicationBootstrap(): void {
    if (!this.options.enabled || this.options.gaugeIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.refresh(), this.options.gaugeIntervalMs);
    this.timer.unref();
  }

  /** Stops the refresh timer. */
  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reports the gauges of `topic` from the next refresh on. O(1): called on the hot path. */
  track(topic: string): void {
    if (!this.topics.has(topic)) this.topics.add(topic);
  }

  /** Refreshes every gauge now; concurrent calls share one refresh. Never rejects. */
  refresh(): Promise<void> {
    return (this.refreshing ??= this.refreshAll().finally(() => (this.refreshing = undefined)));
  }

  private async refreshAll(): Promise<void> {
    try {
      const redis = await this.monitor.ready(2_000);
      await Promise.all([...this.topics].map(topic => this.refreshTopic(redis, topic)));
    } catch (err) {
      const now = Date.now();
      if (now - this.lastWarnAt > 60_000) {
        this.lastWarnAt = now;
        this.logger.warn(`Could not refresh queue gauges: ${(err as Error).message}`);
      }
    }
  }

  private async refreshTopic(redis: RedisConnection, topic: string): Promise<void> {
    const stream = this.keys.stream(topic);
    // All keys of a topic share its hash tag: one pipeline per topic also works on a cluster.
    const first = (await redis
      .pipeline()
      .xlen(stream)
      .zcard(this.keys.delayed(topic))
      .xlen(this.keys.deadLetter(topic))
      .xinfo('GROUPS', stream)
      .exec()) as PipelineResult;
    const [length, delayed, deadLetters, groupsReply] = values(first);
    this.queueSize.set({ topic }, Number(length ?? 0));
    this.delayed.set({ topic }, Number(delayed ?? 0));
    this.deadLetters.set({ topic }, Number(deadLetters ?? 0));
    // A missing stream makes XINFO GROUPS fail: no groups.
    const groups = Array.isArray(groupsReply) ? groupsReply.map(parseGroup) : [];

    const now = Date.now();
    if (groups.length) {
      const pipeline = redis.pipeline();
      for (const g of groups) {
        pipeline.xpending(stream, g.name, '-', '+', 1);
        pipeline.xrange(stream, `(${g.lastDeliveredId}`, '+', 'COUNT', 1);
        pipeline.zcard(this.keys.retry(topic, g.name));
      }
      const replies = values((await pipeline.exec()) as PipelineResult);
      groups.forEach((g, i) => {
        const [oldestPending, nextUndelivered, retries] = replies.slice(i * 3, i * 3 + 3) as [
          [string, ...unknown[]][] | undefined,
          [string, unknown][] | undefined,
          number | undefined,
        ];
        const labels = { topic, group: g.name };
        this.pending.set(labels, g.pending);
        this.consumers.set(labels, g.consumers);
        if (g.lag === null) this.lag.remove(labels);
        else this.lag.set(labels, g.lag);
        this.lagSeconds.set(labels, ageSeconds(nextUndelivered?.[0]?.[0], now));
        this.oldestPending.set(labels, ageSeconds(oldestPending?.[0]?.[0], now));
        this.scheduledRetries.set(labels, Number(retries ?? 0));
      });
    }
    this.forgetGoneGroups(topic, new Set(groups.map(g => g.name)));
  }

  /** A deleted group must not keep reporting its last values. */
  private forgetGoneGroups(topic: string, current: Set<string>): void {
    for (const group of this.groupsSeen.get(topic) ?? []) {
      if (current.has(group)) continue;
      const labels = { topic, group };
      for (const gauge of [this.pending, this.consumers, this.lag, this.lagSeconds, this.oldestPending, this.scheduledRetries]) {
        gauge.remove(labels);
      }
    }
    this.groupsSeen.set(topic, current);
  }
}

/** Pipeline replies, with `undefined` for the failed commands. */
function values(results: PipelineResult): unknown[] {
  return (results ?? []).map(([err, value]) => (err ? undefined : value));
}

/** XINFO GROUPS answers each group as a flat `[field, value, …]` list. */
function parseGroup(raw: unknown): GroupInfo {
  const list = raw as unknown[];
  const fields = new Map<string, unknown>();
  // Pairs, not indexOf: a group may well be named "pending".
  for (let i = 0; i + 1 < list.length; i += 2) fields.set(String(list[i]), list[i + 1]);
  const field = (name: string) => fields.get(name);
  const lag = field('lag');
  return {
    name: String(field('name')),
    consumers: Number(field('consumers') ?? 0),
    pending: Number(field('pending') ?? 0),
    lastDeliveredId: String(field('last-delivered-id') ?? '0-0'),
    lag: lag === null || lag === undefined ? null : Number(lag),
  };
}

/** Seconds since the time part of a stream entry id (`<ms>-<seq>`); 0 without an entry. */
export function ageSeconds(entryId: string | undefined, now: number): number {
  if (!entryId) return 0;
  const ms = Number(entryId.slice(0, entryId.indexOf('-')));
  return Number.isFinite(ms) ? Math.max(0, now - ms) / 1000 : 0;
}
