import type { LoggerService } from '@nestjs/common';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';

/** Resolved options of one topic's scheduler. */
export interface TopicSchedulerOptions {
  topic: string;
  /** Longest wait between two checks of the delayed set (a new short delay may arrive any time). */
  delayedPollMs: number;
  retentionMs: number;
  housekeepingIntervalMs: number;
}

/** Most delayed messages promoted per script call (bounds the time Redis spends in one call). */
const PROMOTE_BATCH = 500;

/**
 * Per topic and server: promotes due delayed messages into the stream (atomic, so every instance
 * may run it) and trims entries every group acked once they are older than the retention.
 */
export class TopicScheduler {
  private promoteTimer: NodeJS.Timeout | undefined;
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly scripts: RedisStreamsScripts,
    private readonly keys: { stream: string; delayed: string; deadLetterRefs: string },
    private readonly options: TopicSchedulerOptions,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    void this.promote();
    this.housekeepingTimer = setInterval(() => void this.housekeep(), this.options.housekeepingIntervalMs);
    this.housekeepingTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.promoteTimer);
    clearInterval(this.housekeepingTimer);
  }

  /** Trims acked entries older than the retention now; resolves with how many were removed. */
  async housekeep(): Promise<number> {
    try {
      return await this.scripts.trimAcked(this.keys, Date.now() - this.options.retentionMs);
    } catch (err) {
      if (!this.stopped) this.logger.warn?.(`${this.options.topic}: housekeeping failed: ${(err as Error).message}`);
      return 0;
    }
  }

  private async promote(): Promise<void> {
    let next = Date.now() + this.options.delayedPollMs;
    try {
      const { promoted, nextDue } = await this.scripts.promoteDelayed(this.keys, Date.now(), PROMOTE_BATCH);
      if (promoted === PROMOTE_BATCH) next = Date.now();
      else if (nextDue !== undefined) next = Math.min(next, nextDue);
    } catch (err) {
      if (!this.stopped) this.logger.warn?.(`${this.options.topic}: delayed promotion failed: ${(err as Error).message}`);
    }
    if (this.stopped) return;
    this.promoteTimer = setTimeout(() => void this.promote(), Math.max(0, next - Date.now()));
    this.promoteTimer.unref();
  }
}
