import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RedisStreamsAdmin } from '../../lib/index.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { QueueRuntimeRegistry } from './queue-runtime.registry.js';

/** Rows deleted per statement: short transactions, no long lock on a busy table. */
const DELETE_BATCH = 5_000;

/** What one sweep removed. */
export interface SweepResult {
  /** Stream entries trimmed at the queues' retention. */
  trimmed: number;
  /** `consumption_records` and `message_records` rows older than `RECORDS_RETENTION_DAYS`. */
  records: number;
  /** `mq_admin_audit_log` rows older than `AUDIT_RETENTION_DAYS`. */
  auditRows: number;
  /** Dead letters older than `DEAD_LETTER_RETENTION_DAYS`. */
  deadLetters: number;
}

/** Tables pruned by age: name and the timestamp column that dates a row. */
const PRUNED_TABLES = [
  { table: 'consumption_records', column: 'consumed_at', kind: 'records' },
  { table: 'message_records', column: 'published_at', kind: 'records' },
  { table: 'mq_admin_audit_log', column: 'created_at', kind: 'audit' },
] as const;

/**
 * Every `RETENTION_SWEEP_INTERVAL_MS`: trims every queue at its own `retention_ms`, and prunes by
 * age what would otherwise grow without bound — consumption and message records, audit rows and
 * dead letters (`RetentionConfig`). The transport's servers trim only the topics they consume, at
 * one retention; queues differ, and a queue read only by external consumers would otherwise never
 * be trimmed. Trimming never removes an entry some group has not acked (`trimTopic`), so a short
 * retention cannot lose messages. Every replica sweeps; the work is idempotent.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    private readonly registry: QueueRuntimeRegistry,
    private readonly redis: SampleRedis,
    @InjectDataSource() private readonly db: DataSource,
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

  /** Trims and prunes once; resolves with what was removed. Never rejects (failures are logged and retried next time). */
  sweep(): Promise<SweepResult> {
    return (this.sweeping ??= this.sweepAll().finally(() => (this.sweeping = undefined)));
  }

  private async sweepAll(): Promise<SweepResult> {
    const result: SweepResult = { trimmed: 0, records: 0, auditRows: 0, deadLetters: 0 };
    const now = Date.now();
    for (const queue of this.registry.all()) {
      try {
        result.trimmed += await this.admin.trimTopic(queue.topic, queue.retentionMs);
        result.deadLetters += await this.redis.pruneDeadLetters(queue.topic, now - this.config.retention.deadLettersMs);
      } catch (err) {
        this.logger.warn(`Could not trim ${queue.topic}: ${(err as Error).message}`);
      }
    }
    for (const { table, column, kind } of PRUNED_TABLES) {
      const maxAge = kind === 'records' ? this.config.retention.recordsMs : this.config.retention.auditMs;
      try {
        const removed = await this.prune(table, column, new Date(now - maxAge));
        if (kind === 'records') result.records += removed;
        else result.auditRows += removed;
      } catch (err) {
        this.logger.warn(`Could not prune ${table}: ${(err as Error).message}`);
      }
    }
    return result;
  }

  /** Deletes the rows dated before `before`, a batch at a time. */
  private async prune(table: string, column: string, before: Date): Promise<number> {
    let removed = 0;
    for (;;) {
      const [, count] = (await this.db.query(
        `DELETE FROM "${table}" WHERE ctid IN (SELECT ctid FROM "${table}" WHERE "${column}" < $1 LIMIT ${DELETE_BATCH})`,
        [before],
      )) as [unknown, number];
      removed += count;
      if (count < DELETE_BATCH) return removed;
    }
  }
}
