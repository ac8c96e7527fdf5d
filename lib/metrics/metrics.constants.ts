/** Metric names: stable, part of the public contract (dashboards and alert rules use them). */
export const MQ_MESSAGES_TOTAL = 'mq_messages_total';
export const MQ_HANDLER_DURATION_SECONDS = 'mq_handler_duration_seconds';
export const MQ_MESSAGE_LATENCY_SECONDS = 'mq_message_latency_seconds';
export const MQ_QUEUE_SIZE = 'mq_queue_size';
export const MQ_PENDING_MESSAGES = 'mq_pending_messages';
export const MQ_CONSUMER_LAG = 'mq_consumer_lag';
export const MQ_CONSUMER_LAG_SECONDS = 'mq_consumer_lag_seconds';
export const MQ_OLDEST_PENDING_AGE_SECONDS = 'mq_oldest_pending_age_seconds';
export const MQ_CONSUMERS = 'mq_consumers';
export const MQ_SCHEDULED_RETRIES = 'mq_scheduled_retries';
export const MQ_DELAYED_MESSAGES = 'mq_delayed_messages';
export const MQ_DEAD_LETTER_QUEUE_SIZE = 'mq_dead_letter_queue_size';
export const MQ_PERSISTENCE_WRITTEN_TOTAL = 'mq_persistence_records_written_total';
export const MQ_PERSISTENCE_DROPPED_TOTAL = 'mq_persistence_records_dropped_total';
export const MQ_PERSISTENCE_BUFFERED = 'mq_persistence_buffered_records';
export const MQ_OUTBOX_PENDING = 'mq_outbox_pending_messages';
export const MQ_OUTBOX_OLDEST_AGE_SECONDS = 'mq_outbox_oldest_pending_age_seconds';

/** `outcome` label values of `mq_messages_total`. */
export type MessagesTotalOutcome = 'published' | 'consumed' | 'acked' | 'retried' | 'dead_lettered' | 'failed';

/** Handler durations: sub-millisecond handlers up to 30 s ones. */
export const HANDLER_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** End-to-end latency: from 1 ms up to retries and delays of minutes. */
export const MESSAGE_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** How often the metrics observer adds its summed counts to `mq_messages_total` (ms). */
export const COUNTER_FLUSH_INTERVAL_MS = 1_000;

/** How often the queue gauges are refreshed from Redis by default (ms). */
export const DEFAULT_GAUGE_INTERVAL_MS = 5_000;
