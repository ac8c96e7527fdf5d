/**
 * `nestjs-redis-streams-transport/prometheus`: Prometheus metrics of the transport. Needs the
 * optional peers `prom-client` and `@willsoto/nestjs-prometheus`.
 */
export type { RedisStreamsMetricsOptions } from '../metrics/interfaces/redis-streams-metrics-options.interface.js';
export * from '../metrics/metrics.constants.js';
export { QueueMetricsCollector } from '../metrics/queue-metrics.collector.js';
export { RedisStreamsMetricsObserver } from '../metrics/redis-streams-metrics.observer.js';
export { withPrometheusMetrics } from './with-prometheus-metrics.js';
