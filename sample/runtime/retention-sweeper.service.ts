import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { RedisStreamsAdmin } from '../../lib/index.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { QueueRuntimeRegistry } from './queue-runtime.registry.js';

/**
 * Trims every queue at its own `retention_ms` every `RETENTION_SWEEP_INTERVAL_MS`. The transport's
 * servers trim only the topics they consume, at one retention; queues differ, and a queue read
 * only by external consumers would otherwise never be trimmed. Trimming never removes an entry
 * some group has not acked (`trimTopic`), so a short retention cannot lose messages.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    private readonly registry: QueueRuntimeRegistry,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.retentionSweepIntervalMs);
    this.timer.unref();
  }

  /** Stops before the transport and the admin close, so no timer runs against closed connections. */
  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Trims every queue once; resolves with the entries removed. Never rejects. */
  sweep(): Promise<number> {
    return (this.sweeping ??= this.sweepAll().finally(() => (this.sweeping = undefined)));
  }

  private async sweepAll(): Promise<number> {
    let removed = 0;
    for (const queue of this.registry.all()) {
      try {
        removed += await this.admin.trimTopic(queue.topic, queue.retentionMs);
      } catch (err) {
        this.logger.warn(`Could not trim ${queue.topic}: ${(err as Error).message}`);
      }
    }
    return removed;
  }
}
