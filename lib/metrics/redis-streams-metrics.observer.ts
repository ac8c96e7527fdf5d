import { Inject, Injectable, Optional } from '@nestjs/common';
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
  type MessagesTotalOutcome,
} from './metrics.constants.js';
import { QueueMetricsCollector } from './queue-metrics.collector.js';

type Labels = { topic: string; group: string; outcome?: string };

/** Label objects of one (topic, group), built once: prom-client hashes them on every call. */
interface GroupLabels {
  consumed: Labels;
  /** By transport outcome, plus `published` (group `""`). */
  byOutcome: Record<MessageOutcome | 'published', Labels>;
  plain: Labels;
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
 * Runs on the hot path: a few map lookups and prom-client updates, never awaiting, never throwing.
 * @publicApi
 */
@Injectable()
export class RedisStreamsMetricsObserver implements RedisStreamsObserver {
  private readonly labels = new Map<string, GroupLabels>();

  constructor(
    @InjectMetric(MQ_MESSAGES_TOTAL) private readonly messages: Counter<string>,
    @InjectMetric(MQ_HANDLER_DURATION_SECONDS) private readonly duration: Histogram<string>,
    @InjectMetric(MQ_MESSAGE_LATENCY_SECONDS) private readonly latency: Histogram<string>,
    @Optional() @Inject(QueueMetricsCollector) private readonly collector?: QueueMetricsCollector | null,
  ) {}

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
      this.messages.inc(labels.consumed);
      this.messages.inc(outcome);
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
      this.messages.inc(this.labelsOf(event.topic, '').byOutcome.published);
      this.collector?.track(event.topic);
    } catch {
      // never let metrics break the transport
    }
  }

  private labelsOf(topic: string, group: string): GroupLabels {
    const key = `${topic}\u0000${group}`;
    let labels = this.labels.get(key);
    if (!labels) {
      const of = (outcome: MessagesTotalOutcome): Labels => ({ topic, group, outcome });
      labels = {
        consumed: of('consumed'),
        byOutcome: {
          acked: of('acked'),
          retried: of('retried'),
          dead_lettered: of('dead_lettered'),
          dropped: of(OUTCOME_LABEL.dropped),
          published: of('published'),
        },
        plain: { topic, group },
      };
      this.labels.set(key, labels);
    }
    return labels;
  }
}
