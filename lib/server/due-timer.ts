import type { LoggerService } from '@nestjs/common';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import type { GroupConsumer } from './group-consumer.js';

/** Most delayed messages promoted per topic and script call (bounds the time Redis spends in one call). */
const PROMOTE_BATCH = 500;
/** Most topics promoted per round; more due topics are promoted in the next round, at once. */
const TOPICS_PER_ROUND = 100;

/**
 * The one timer of a server, for everything that falls due:
 * - delayed messages of every topic of the prefix, consumed by this server or not (a topic read
 *   only by an external group gets its messages too): the timer follows the head of the prefix's
 *   due index (`StreamKeys.delayedDue`), re-read every `pollMs` so that due times published by other
 *   processes are seen, and promotes each due topic atomically (any number of servers may race);
 * - retries of this server's consumers, scheduled by its own settlers (`retryAt`), on start, on a
 *   resume and on a replay; retries left by a crashed replica are found by the maintenance sweep.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private delayedHead = Infinity;
  private nextPollAt = 0;
  private readonly retries = new Map<GroupConsumer, number>();
  private running = false;
  private stopped = false;

  constructor(
    private readonly command: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    private readonly keys: StreamKeys,
    private readonly pollMs: number,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    this.arm(Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.retries.clear();
  }

  /** Calls `consumer.claimDueRetries()` at `at` (or earlier, if it already waits for an earlier time). */
  retryAt(consumer: GroupConsumer, at: number): void {
    const current = this.retries.get(consumer);
    if (current !== undefined && current <= at) return;
    this.retries.set(consumer, at);
    this.arm(at);
  }

  forget(consumer: GroupConsumer): void {
    this.retries.delete(consumer);
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => void this.fire(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    this.armedAt = Infinity;
    if (this.running || this.stopped) return; // the running round re-arms when it ends
    this.running = true;
    try {
      const now = Date.now();
      for (const [consumer, at] of this.retries) {
        if (at > now) continue;
        this.retries.delete(consumer);
        void consumer.claimDueRetries();
      }
      if (this.delayedHead <= now) await this.promoteDue(now);
      else if (now >= this.nextPollAt) await this.pollHead();
    } catch (err) {
      if (!this.stopped) this.logger.warn?.(`delayed promotion failed: ${(err as Error).message}`);
      this.nextPollAt = Date.now() + this.pollMs;
      this.delayedHead = Math.max(this.delayedHead, this.nextPollAt);
    } finally {
      this.running = false;
    }
    let next = Math.min(this.delayedHead, this.nextPollAt);
    for (const at of this.retries.values()) if (at < next) next = at;
    this.arm(next);
  }

  /** Reads the earliest due time of the prefix's delayed messages. */
  private async pollHead(): Promise<void> {
    const head = (await this.command.zrange(this.keys.delayedDue(), '0', '0', 'WITHSCORES')) as string[];
    this.delayedHead = head.length === 2 ? Number(head[1]) : Infinity;
    this.nextPollAt = Date.now() + this.pollMs;
  }

  private async promoteDue(now: number): Promise<void> {
    const flat = (await this.command.zrangebyscore(
      this.keys.delayedDue(), '-inf', now, 'WITHSCORES', 'LIMIT', 0, TOPICS_PER_ROUND,
    )) as string[];
    let promoted = 0;
    const rounds: Promise<void>[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const topic = flat[i];
      const score = Number(flat[i + 1]);
      rounds.push(
        this.scripts.promoteDueTopic(this.keys, topic, score, now, PROMOTE_BATCH).then(
          n => void (promoted += n),
          err => this.logger.warn?.(`${topic}: delayed promotion failed: ${(err as Error).message}`),
        ),
      );
    }
    await Promise.all(rounds);
    await this.pollHead();
    // Nothing moved although the head is due (another server is on it, or a topic keeps failing):
    // look again after a poll interval instead of spinning.
    if (promoted === 0 && this.delayedHead <= Date.now()) this.delayedHead = this.nextPollAt;
  }
}
