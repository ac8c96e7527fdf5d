/** Options of `withPrometheusMetrics()`: the Prometheus metrics of `RedisStreamsModule`. */
export interface RedisStreamsMetricsOptions {
  /**
   * How often the queue gauges (stream length, pending, lag, oldest pending age, delayed, dead
   * letters) are refreshed from Redis, in ms; `0` turns the gauges off. Never per message.
   * @defaultValue 5000
   */
  gaugeIntervalMs?: number;
  /**
   * Topics whose gauges are reported besides the ones this process consumes or publishes to
   * (e.g. a monitoring-only app).
   * @defaultValue []
   */
  topics?: string[];
}
