import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import {
  HANDLER_DURATION_BUCKETS,
  MESSAGE_LATENCY_BUCKETS,
  MQ_CONSUMER_LAG,
  MQ_CONSUMER_LAG_SECONDS,
  MQ_CONSUMERS,
  MQ_DEAD_LETTER_QUEUE_SIZE,
  MQ_DELAYED_MESSAGES,
  MQ_HANDLER_DURATION_SECONDS,
  MQ_MESSAGE_LATENCY_SECONDS,
  MQ_MESSAGES_TOTAL,
  MQ_OLDEST_PENDING_AGE_SECONDS,
  MQ_OUTBOX_OLDEST_AGE_SECONDS,
  MQ_OUTBOX_PENDING,
  MQ_PENDING_MESSAGES,
  MQ_PERSISTENCE_BUFFERED,
  MQ_PERSISTENCE_DROPPED_TOTAL,
  MQ_PERSISTENCE_WRITTEN_TOTAL,
  MQ_QUEUE_SIZE,
  MQ_SCHEDULED_RETRIES,
} from './metrics.constants.js';

const TOPIC_GROUP = ['topic', 'group'];

/**
 * Every metric of the transport, as `@willsoto/nestjs-prometheus` providers (injected with
 * `@InjectMetric(name)`). They live in prom-client's default registry, which `PrometheusModule`
 * exposes at `/metrics`. Labels never carry a message id: their cardinality is topics × groups.
 */
export const REDIS_STREAMS_METRIC_PROVIDERS: Provider[] = [
  makeCounterProvider({
    name: MQ_MESSAGES_TOTAL,
    help: 'Messages by outcome: published (client); consumed = acked + retried + dead_lettered + failed (server, per delivery)',
    labelNames: ['topic', 'group', 'outcome'],
  }),
  makeHistogramProvider({
    name: MQ_HANDLER_DURATION_SECONDS,
    help: 'Time spent in the handlers of one delivery, by outcome',
    labelNames: ['topic', 'group', 'outcome'],
    buckets: HANDLER_DURATION_BUCKETS,
  }),
  makeHistogramProvider({
    name: MQ_MESSAGE_LATENCY_SECONDS,
    help: 'End-to-end latency: from publish to successful handling (includes delays and retries)',
    labelNames: TOPIC_GROUP,
    buckets: MESSAGE_LATENCY_BUCKETS,
  }),
  makeGaugeProvider({ name: MQ_QUEUE_SIZE, help: 'Entries in the topic stream (XLEN)', labelNames: ['topic'] }),
  makeGaugeProvider({ name: MQ_PENDING_MESSAGES, help: 'Delivered but not yet acked entries of the group (PEL size)', labelNames: TOPIC_GROUP }),
  makeGaugeProvider({ name: MQ_CONSUMER_LAG, help: 'Entries not yet delivered to the group (XINFO GROUPS lag)', labelNames: TOPIC_GROUP }),
  makeGaugeProvider({
    name: MQ_CONSUMER_LAG_SECONDS,
    help: 'Age of the oldest entry not yet delivered to the group (0 when caught up)',
    labelNames: TOPIC_GROUP,
  }),
  makeGaugeProvider({
    name: MQ_OLDEST_PENDING_AGE_SECONDS,
    help: 'Age of the oldest delivered-but-unacked entry of the group (0 when none)',
    labelNames: TOPIC_GROUP,
  }),
  makeGaugeProvider({ name: MQ_CONSUMERS, help: 'Consumers registered in the group', labelNames: TOPIC_GROUP }),
  makeGaugeProvider({ name: MQ_SCHEDULED_RETRIES, help: 'Retries of the group waiting for their due time', labelNames: TOPIC_GROUP }),
  makeGaugeProvider({ name: MQ_DELAYED_MESSAGES, help: 'Delayed messages waiting for their due time', labelNames: ['topic'] }),
  makeGaugeProvider({ name: MQ_DEAD_LETTER_QUEUE_SIZE, help: 'Entries in the topic dead-letter stream', labelNames: ['topic'] }),
  makeCounterProvider({
    name: MQ_PERSISTENCE_WRITTEN_TOTAL,
    help: 'Records written to PostgreSQL by kind (consumption | message)',
    labelNames: ['kind'],
  }),
  makeCounterProvider({
    name: MQ_PERSISTENCE_DROPPED_TOTAL,
    help: 'Records dropped because the database was unavailable and the buffer was full, by kind',
    labelNames: ['kind'],
  }),
  makeGaugeProvider({ name: MQ_PERSISTENCE_BUFFERED, help: 'Records waiting in memory to be written' }),
  makeGaugeProvider({ name: MQ_OUTBOX_PENDING, help: 'Outbox messages committed but not yet published (all replicas)' }),
  makeGaugeProvider({ name: MQ_OUTBOX_OLDEST_AGE_SECONDS, help: 'Age of the oldest outbox message not yet published (0 when none)' }),
];
