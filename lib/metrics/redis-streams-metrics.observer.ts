import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import type {
  ConsumerStartedEvent,
  MessageOutcome,
  MessagePublishedEvent,
  MessageSettledEvent,
  RedisStreamsObserver,
} from '../observer/redis-streams-observer.interface.js';
import {
  MQ_HANDLER_DURATION_SECONDS,
  MQ_MESSAGE_LATENCY_SECONDS,
  MQ_MESSAGES_TOTAL,
  COUNTER_FLUSH_INTERVAL_MS,
  type MessagesTotalOutcome,
} from './metrics.constants.js';
import { QueueMetricsCollector } from './queue-metrics.collector.js';

type Labels = { topic: string; group: string; outcome?: string };

const COUNTED: MessagesTotalOutcome[] = ['published', 'consumed', 'acked', 'retried', 'dead_lettered', 'failed'];

/** Label objects of one (topic, group), built once, and its counts not yet added to the counter. */
interface GroupLabels {
  byLabel: Record<MessagesTotalOutcome, Labels>;
  /** By transport outcome, plus `published` (group `""`). */
  byOutcome: Record<MessageOutcome | 'published', Labels>;
  plain: Labels;
  unflushed: Record<MessagesTotalOutcome, number>;
  dirty: boolean;
}

/** Transport outcome → `outcome` label: a dropped message (dead-lettering off) counts as `failed`. */
const OUTCOME_LABEL: Record<MessageOutcome, MessagesTotalOutcome> = {
  acked: 'acked',
  retried: 'retried',
  dead_lettered: 'dead_lettered',
  dropped: 'failed',
};

/**
 * Turns transport events into Prometheus series: `mq_messages_total{topic, group, outcome}`,
 * `mq_handler_duration_seconds{topic, group, outcome}` and `mq_message_latency_seconds{topic, group}`.
 * Every settled delivery counts once as `consumed` and once under its outcome, so
 * consumed = acked + retried + dead_lettered + failed. Publishes count as `published` with `group=""`.
 * Runs on the hot path, never awaiting, never throwing: counts are summed in plain numbers and
 * added to the counter every second (prom-client hashes the labels on every call, which costs
 * more than the rest of the observer); histograms are observed directly.
 * @publicApi
 */
@Injectable()
export class RedisStreamsMetricsObserver implements RedisStreamsObserver, OnApplicationShutdown {
  private readonly labels = new Map<string, GroupLabels>();
  private readonly dirty: GroupLabels[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    @InjectMetric(MQ_MESSAGES_TOTAL) private readonly messages: Counter<string>,
    @InjectMetric(MQ_HANDLER_DURATION_SECONDS) private readonly duration: Histogram<string>,
    @InjectMetric(MQ_MESSAGE_LATENCY_SECONDS) private readonly latency: Histogram<string>,
    @Optional() @Inject(QueueMetricsCollector) private readonly collector?: QueueMetricsCollector | null,
  ) {
    this.timer = setInterval(() => this.flush(), COUNTER_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Adds the counts summed since the last flush to `mq_messages_total`. */
  flush(): void {
    for (const group of this.dirty) {
      group.dirty = false;
      for (const outcome of COUNTED) {
        const n = group.unflushed[outcome];
        if (!n) continue;
        group.unflushed[outcome] = 0;
        try {
          this.messages.inc(group.byLabel[outcome], n);
        } catch {
          // never let metrics break the transport
        }
      }
    }
    this.dirty.length = 0;
  }

  /** Stops the flush timer and flushes what is left. */
  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** Starts watching the topic's gauges. */
  onConsumerStarted(event: ConsumerStartedEvent): void {
    try {
      this.collector?.track(event.topic);
    } catch {
      // never let metrics break the transport
    }
  }

  /** Counts one delivery; observes its handler time and, on success, its end-to-end latency. */
  onMessageSettled(event: MessageSettledEvent): void {
    try {
      const labels = this.labelsOf(event.topic, event.group);
      const outcome = labels.byOutcome[event.outcome];
      labels.unflushed.consumed++;
      labels.unflushed[OUTCOME_LABEL[event.outcome]]++;
      this.markDirty(labels);
      // An undecodable entry never reached a handler: no duration, no latency.
      if (event.messageId === undefined) return;
      this.duration.observe(outcome, event.durationMs / 1000);
      if (event.outcome === 'acked' && event.publishedAt !== undefined) {
        this.latency.observe(labels.plain, Math.max(0, Date.now() - event.publishedAt) / 1000);
      }
    } catch {
      // never let metrics break the transport
    }
  }

  /** Counts one publish. */
  onMessagePublished(event: MessagePublishedEvent): void {
    try {
      const labels = this.labelsOf(event.topic, '');
      labels.unflushed.published++;
      this.markDirty(labels);
      this.collector?.track(event.topic);
    } catch {
      // never let metrics break the transport
    }
  }

  private markDirty(labels: GroupLabels): void {
    if (labels.dirty) return;
    labels.dirty = true;
    this.dirty.push(labels);
  }

  private labelsOf(topic: string, group: string): GroupLabels {
    const key = `${topic}\u0000${group}`;
    let labels = this.labels.get(key);
    if (!labels) {
      const byLabel = Object.fromEntries(COUNTED.map(outcome => [outcome, { topic, group, outcome }])) as Record<
        MessagesTotalOutcome,
        Labels
      >;
      labels = {
        byLabel,
        byOutcome: {
          acked: byLabel.acked,
          retried: byLabel.retried,
          dead_lettered: byLabel.dead_lettered,
          dropped: byLabel[OUTCOME_LABEL.dropped],
          published: byLabel.published,
        },
        plain: { topic, group },
        unflushed: Object.fromEntries(COUNTED.map(outcome => [outcome, 0])) as Record<MessagesTotalOutcome, number>,
        dirty: false,
      };
      this.labels.set(key, labels);
    }
    return labels;
  }
}
