import type { Counter, Gauge } from 'prom-client';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { RedisStreamsMetricsOptions } from '../metrics/interfaces/redis-streams-metrics-options.interface.js';
import { DEFAULT_GAUGE_INTERVAL_MS, MQ_PERSISTENCE_BUFFERED, MQ_PERSISTENCE_DROPPED_TOTAL, MQ_PERSISTENCE_WRITTEN_TOTAL } from '../metrics/metrics.constants.js';
import { OutboxMetricsCollector } from '../metrics/outbox-metrics.collector.js';
import { QueueMetricsCollector, type ResolvedMetricsOptions } from '../metrics/queue-metrics.collector.js';
import { REDIS_STREAMS_METRIC_PROVIDERS } from '../metrics/redis-streams-metrics.providers.js';
import { RedisStreamsMetricsObserver } from '../metrics/redis-streams-metrics.observer.js';
import type { RedisStreamsIntegration } from '../module/interfaces/redis-streams-integration.interface.js';
import { REDIS_STREAMS_METRICS_OPTIONS, REDIS_STREAMS_RECORDER_HOOKS } from '../module/redis-streams.tokens.js';
import type { RecorderHooks } from '../persistence/consumption-recorder.js';

/**
 * Prometheus metrics for `RedisStreamsModule`: `mq_messages_total`, handler duration and end-to-end
 * latency from the transport's events, the queue gauges refreshed from Redis on an interval, and the
 * recorder's counters when `withTypeOrmRecording()` is used too, and the outbox's backlog with `withTypeOrmOutbox()`. The metrics live in prom-client's
 * default registry, which `PrometheusModule.register()` (of `@willsoto/nestjs-prometheus`) serves.
 *
 * ```ts
 * RedisStreamsModule.forRoot({ connection, integrations: [withPrometheusMetrics({ gaugeIntervalMs: 5_000 })] })
 * ```
 * Provides (and exports) `RedisStreamsMetricsObserver` and `QueueMetricsCollector`.
 * @param options - gauge refresh interval and extra topics. @defaultValue {}
 * @publicApi
 */
export function withPrometheusMetrics(options: RedisStreamsMetricsOptions = {}): RedisStreamsIntegration {
  const resolved: ResolvedMetricsOptions = {
    enabled: true,
    gaugeIntervalMs: options.gaugeIntervalMs ?? DEFAULT_GAUGE_INTERVAL_MS,
    topics: options.topics ?? [],
  };
  return {
    providers: [
      { provide: REDIS_STREAMS_METRICS_OPTIONS, useValue: resolved },
      ...REDIS_STREAMS_METRIC_PROVIDERS,
      QueueMetricsCollector,
      OutboxMetricsCollector,
      RedisStreamsMetricsObserver,
      {
        provide: REDIS_STREAMS_RECORDER_HOOKS,
        useFactory: (written: Counter<string>, dropped: Counter<string>, buffered: Gauge<string>): RecorderHooks => ({
          onWritten: (kind, count) => written.inc({ kind }, count),
          onDropped: (kind, count) => dropped.inc({ kind }, count),
          onFlushed: stats => buffered.set(stats.buffered),
        }),
        inject: [getToken(MQ_PERSISTENCE_WRITTEN_TOTAL), getToken(MQ_PERSISTENCE_DROPPED_TOTAL), getToken(MQ_PERSISTENCE_BUFFERED)],
      },
    ],
    exports: [RedisStreamsMetricsObserver, QueueMetricsCollector],
    observers: [RedisStreamsMetricsObserver],
  };
}
