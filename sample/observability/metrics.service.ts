import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RedisStreamsAdmin, ServerRedisStreams } from '../../lib/index.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { ALL_PLATFORM_TOPICS } from '../platform/platform.topics.js';
import { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';
import type { Alert, ConsumerMetrics, SystemMetrics, TopicMetrics } from './metrics.views.js';
import { RateSampler } from './rate-sampler.service.js';
import { serviceVersion, STARTED_AT } from './service-info.js';

/** Metrics of a set of topics, as `GET /metrics` shows them. */
export interface MetricsSnapshot {
  system: SystemMetrics;
  topics: TopicMetrics[];
  consumers: ConsumerMetrics[];
}

/** Which topics a report covers: one tenant's queues, or everything (internal API). */
export type MetricsScope = { tenantId: string } | 'all';

interface SubscriptionRow {
  id: string;
  topic: string;
  consumer_group: string;
  subscription_type: 'webhook' | 'redis_consumer';
}

/**
 * JSON metrics and alerts. Stream state comes from `RedisStreamsAdmin.getTopic` (length, delayed,
 * dead letters, pending, lag per group), rates and lag age from Redis 7 counters, webhook
 * counters from `SampleRedis`: every replica answers the same.
 */
@Injectable()
export class MetricsService {
  constructor(
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    @Inject(ServerRedisStreams) private readonly server: ServerRedisStreams,
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: SampleRedis,
    private readonly rates: RateSampler,
    private readonly registry: QueueRuntimeRegistry,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  async snapshot(scope: MetricsScope): Promise<MetricsSnapshot> {
    const [topics, subscriptions] = await Promise.all([this.topicsOf(scope), this.subscriptionsOf(scope)]);
    const byGroup = new Map(subscriptions.map(s => [`${s.topic}\u0000${s.consumer_group}`, s]));
    const webhookCounters = await this.redis.stats(subscriptions.filter(s => s.subscription_type === 'webhook').map(s => s.id));
    const platform = new Set(ALL_PLATFORM_TOPICS);
    const now = Date.now();
    const topicMetrics: TopicMetrics[] = [];
    const consumerMetrics: ConsumerMetrics[] = [];
    await Promise.all(
      topics.map(async topic => {
        const [info, counters] = await Promise.all([this.admin.getTopic(topic), this.redis.counters(topic, now)]);
        const rates = this.rates.ratesOf(topic, counters, now);
        const queue = platform.has(topic) ? topic : queueNameOf(topic);
        let backlog = 0;
        for (const g of info?.groups ?? []) {
          const groupBacklog = (g.lag ?? 0) + g.pending;
          backlog += groupBacklog;
          const sub = byGroup.get(`${topic}\u0000${g.name}`);
          const counted = sub ? webhookCounters.get(sub.id) : undefined;
          consumerMetrics.push({
            queue,
            topic,
            group: g.name,
            subscriptionId: sub?.id ?? null,
            type: sub?.subscription_type ?? (platform.has(topic) ? 'platform' : 'unregistered'),
            paused: g.paused,
            consumers: g.consumers,
            pending: g.pending,
            lag: g.lag,
            lagSeconds: Math.round((counters?.groups.get(g.name)?.oldestUndeliveredAgeMs ?? 0) / 100) / 10,
            backlog: groupBacklog,
            deliveredPerSec: rates.deliveredPerSec.get(g.name) ?? null,
            ...counted,
          });
        }
        topicMetrics.push({
          queue,
          topic,
          length: info?.length ?? 0,
          delayed: info?.delayed ?? 0,
          deadLetters: info?.deadLetters ?? 0,
          backlog,
          groups: info?.groups.length ?? 0,
          publishedPerSec: rates.publishedPerSec,
          rateWindowSeconds: rates.windowSeconds === null ? null : Math.round(rates.windowSeconds * 10) / 10,
        });
      }),
    );
    topicMetrics.sort((a, b) => a.topic.localeCompare(b.topic));
    consumerMetrics.sort((a, b) => a.topic.localeCompare(b.topic) || a.group.localeCompare(b.group));
    return { system: this.system(topicMetrics), topics: topicMetrics, consumers: consumerMetrics };
  }

  /** Alerts: a group's backlog over `ALERT_BACKLOG`, its lag over `ALERT_LAG_SECONDS`, any dead letter. */
  alertsOf(snapshot: MetricsSnapshot): Alert[] {
    const alerts: Alert[] = [];
    for (const c of snapshot.consumers) {
      if (c.backlog > this.config.alertBacklog) {
        alerts.push({ type: 'backlog', queue: c.queue, group: c.group, value: c.backlog, threshold: this.config.alertBacklog, message: `${c.backlog} messages waiting for group ${c.group}` });
      }
      if (c.lagSeconds > this.config.alertLagSeconds) {
        alerts.push({ type: 'lag', queue: c.queue, group: c.group, value: c.lagSeconds, threshold: this.config.alertLagSeconds, message: `group ${c.group} is ${c.lagSeconds} s behind` });
      }
    }
    for (const t of snapshot.topics) {
      if (t.deadLetters > 0) {
        alerts.push({ type: 'dead_letters', queue: t.queue, value: t.deadLetters, threshold: 0, message: `${t.deadLetters} dead letter(s)` });
      }
    }
    return alerts;
  }

  private system(topics: TopicMetrics[]): SystemMetrics {
    const loops = this.server.getConsumerStates();
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const sum = (f: (t: TopicMetrics) => number) => topics.reduce((n, t) => n + f(t), 0);
    return {
      version: serviceVersion(),
      startedAt: new Date(STARTED_AT).toISOString(),
      uptimeSeconds: Math.round((Date.now() - STARTED_AT) / 1000),
      node: process.version,
      pid: process.pid,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      cpuSeconds: Math.round((cpu.user + cpu.system) / 10_000) / 100,
      readLoops: { total: loops.length, alive: loops.filter(l => l.alive).length },
      totals: {
        queues: topics.length,
        messages: sum(t => t.length),
        delayed: sum(t => t.delayed),
        deadLetters: sum(t => t.deadLetters),
        backlog: sum(t => t.backlog),
      },
    };
  }

  private async topicsOf(scope: MetricsScope): Promise<string[]> {
    if (scope === 'all') return [...this.registry.all().map(q => q.topic), ...ALL_PLATFORM_TOPICS];
    const rows: { name: string }[] = await this.db.query(
      `SELECT t.name FROM message_topics t JOIN mq_queue_settings s ON s.topic_id = t.id WHERE t.tenant_id = $1`,
      [scope.tenantId],
    );
    return rows.map(r => r.name);
  }

  private async subscriptionsOf(scope: MetricsScope): Promise<SubscriptionRow[]> {
    const tenant = scope === 'all' ? '' : 'AND s.tenant_id = $1';
    return this.db.query(
      `SELECT s.id, t.name AS topic, s.consumer_group, s.subscription_type
       FROM message_subscriptions s JOIN message_topics t ON t.id = s.topic_id
       WHERE s.tenant_id IS NOT NULL ${tenant}`,
      scope === 'all' ? [] : [scope.tenantId],
    );
  }
}
