import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { REDIS_STREAMS_METRICS_OPTIONS } from '../module/redis-streams.tokens.js';
import { REDIS_STREAMS_OUTBOX_STATS, type OutboxStatsSource } from '../persistence/outbox/outbox-stats.js';
import type { ResolvedMetricsOptions } from './queue-metrics.collector.js';
import { MQ_OUTBOX_OLDEST_AGE_SECONDS, MQ_OUTBOX_PENDING } from './metrics.constants.js';

/**
 * Refreshes the outbox gauges (pending messages, oldest pending age) on the queue gauges' interval,
 * when the module has an outbox (`withTypeOrmOutbox()`); idle otherwise. One query per refresh.
 */
@Injectable()
export class OutboxMetricsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxMetricsCollector.name);
  private timer: NodeJS.Timeout | undefined;
  private lastWarnAt = 0;

  constructor(
    @InjectMetric(MQ_OUTBOX_PENDING) private readonly pending: Gauge<string>,
    @InjectMetric(MQ_OUTBOX_OLDEST_AGE_SECONDS) private readonly oldestAge: Gauge<string>,
    @Inject(REDIS_STREAMS_METRICS_OPTIONS) private readonly options: ResolvedMetricsOptions,
    @Optional() @Inject(REDIS_STREAMS_OUTBOX_STATS) private readonly outbox?: OutboxStatsSource | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.outbox || !this.options.enabled || this.options.gaugeIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.refresh(), this.options.gaugeIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sets both gauges from the outbox's stats now. Never rejects. */
  async refresh(): Promise<void> {
    if (!this.outbox) return;
    try {
      const stats = await this.outbox.getStats();
      this.pending.set(stats.pending);
      this.oldestAge.set(stats.oldestPendingAgeMs / 1000);
    } catch (err) {
      const now = Date.now();
      if (now - this.lastWarnAt > 60_000) {
        this.lastWarnAt = now;
        this.logger.warn(`Could not refresh the outbox gauges: ${(err as Error).message}`);
      }
    }
  }
}
