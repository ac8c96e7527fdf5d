import { Logger, type LoggerService } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  DEFAULT_OUTBOX_BATCH_SIZE,
  DEFAULT_OUTBOX_MAX_RETRY_DELAY_MS,
  DEFAULT_OUTBOX_MIN_PASS_INTERVAL_MS,
  DEFAULT_OUTBOX_POLL_INTERVAL_MS,
  DEFAULT_OUTBOX_RETENTION_MS,
  DEFAULT_PRUNE_INTERVAL_MS,
  OUTBOX_CHANNEL,
  PRUNE_BATCH_SIZE,
  RECORDER_WARN_EVERY_MS,
} from '../persistence.constants.js';
import type { OutboxPublisher, RedisStreamsOutboxOptions } from './interfaces/redis-streams-outbox-options.interface.js';
import { recordOf, type OutboxRow } from './outbox-row.js';
import type { OutboxStats } from './outbox-stats.js';
import { CLAIM_OUTBOX, CLAIM_PLAN, DELETE_OUTBOX_SENT, MARK_OUTBOX_FAILED, OUTBOX_KEYS_BEHIND, MARK_OUTBOX_SENT, OUTBOX_STATS, PRUNE_OUTBOX } from './outbox.sql.js';

export type { OutboxStats };

/** What one relay pass did. */
export interface RelayPass {
  /** Rows claimed. */
  claimed: number;
  /** Rows published and marked sent. */
  published: number;
  /** Rows whose publish failed (they and the rows after them in their key wait for the next pass). */
  failed: number;
}

/**
 * Publishes pending outbox rows, in every replica at once: each pass claims a batch in one
 * transaction (`FOR UPDATE SKIP LOCKED`, one relay per key at a time), publishes it, marks what was
 * published and commits. Woken by `LISTEN` when rows commit, and by a timer as a fallback. Holds
 * one connection of the DataSource's pool while it runs.
 */
export class OutboxRelay {
  private readonly options: Required<Omit<RedisStreamsOutboxOptions, 'notify' | 'notifyIntervalMs' | 'relay'>>;
  private running: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private wakeable = true;
  private runner: QueryRunner | undefined;
  private unlisten: (() => void) | undefined;
  private passing: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastWarnAt = 0;
  private published = 0;
  private failedAttempts = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    options: RedisStreamsOutboxOptions = {},
    private readonly logger: LoggerService = new Logger('RedisStreamsOutbox'),
  ) {
    this.options = {
      batchSize: options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_OUTBOX_POLL_INTERVAL_MS,
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_OUTBOX_MAX_RETRY_DELAY_MS,
      retentionMs: options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS,
      pruneIntervalMs: options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS,
      minPassIntervalMs: options.minPassIntervalMs ?? DEFAULT_OUTBOX_MIN_PASS_INTERVAL_MS,
    };
  }

  /** Starts listening, relaying and pruning (idempotent). */
  start(): void {
    if (this.running || this.closed) return;
    this.running = this.loop();
    if (this.options.pruneIntervalMs > 0 && this.options.retentionMs > 0) {
      this.pruneTimer = setInterval(() => void this.prune().catch(err => this.warn('prune', err)), this.options.pruneIntervalMs);
      this.pruneTimer.unref();
    }
  }

  /** Stops after the pass in progress (its rows are committed or rolled back, never half-marked). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruneTimer);
    this.wake?.();
    await this.running;
    await this.passing;
    this.dropConnection();
  }

  /**
   * One pass: claims up to `batchSize` pending rows, publishes them (rows of one key one after the
   * other, keys side by side), marks the published ones sent and commits. A failed row stops its key
   * for this pass, so a later row of the key never overtakes it.
   */
  async relayOnce(): Promise<RelayPass> {
    // One pass at a time on the relay's connection (a test or a cron may call this too).
    const pass = this.passing.then(() => this.pass());
    this.passing = pass.then(
      () => undefined,
      () => undefined,
    );
    return pass;
  }

  private async pass(): Promise<RelayPass> {
    const runner = await this.connection();
    try {
      await runner.startTransaction();
      await runner.query(CLAIM_PLAN);
      const claimed: OutboxRow[] = await runner.query(CLAIM_OUTBOX, [this.options.batchSize]);
      const rows = await this.inKeyOrder(runner, claimed);
      const pass = rows.length ? await this.publish(runner, rows) : { claimed: 0, published: 0, failed: 0 };
      pass.claimed = claimed.length;
      await runner.commitTransaction();
      this.published += pass.published;
      this.failedAttempts += pass.failed;
      return pass;
    } catch (err) {
      // A failed pass is a database error (publish failures are per row): the connection may be
      // gone without telling, so the next pass takes a new one.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      this.dropConnection(err);
      throw err;
    }
  }

  /** The claimed rows without those of keys that still have an older pending row (see `OUTBOX_KEYS_BEHIND`). */
  private async inKeyOrder(runner: QueryRunner, rows: OutboxRow[]): Promise<OutboxRow[]> {
    const firstOfKey = new Map<string, string>();
    for (const row of rows) if (row.message_key !== null && !firstOfKey.has(row.message_key)) firstOfKey.set(row.message_key, row.id);
    if (!firstOfKey.size) return rows;
    const behind: { message_key: string }[] = await runner.query(OUTBOX_KEYS_BEHIND, [[...firstOfKey.keys()], [...firstOfKey.values()]]);
    if (!behind.length) return rows;
    const skip = new Set(behind.map(b => b.message_key));
    return rows.filter(row => row.message_key === null || !skip.has(row.message_key));
  }

  /**
   * The relay's own connection, held between passes so it never queues behind the application's
   * transactions for a pool slot; it also LISTENs, since notifications arrive between queries.
   */
  private async connection(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) return this.runner;
    if (this.closed) throw new Error('The outbox relay is closed');
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as ListenClient | undefined;
    this.runner = runner;
    if (client && typeof client.on === 'function') {
      const onNotification = (msg: { channel: string }) => {
        if (msg.channel === OUTBOX_CHANNEL) this.onNotification();
      };
      client.on('notification', onNotification);
      this.unlisten = () => client.removeListener('notification', onNotification);
      await runner.query(`LISTEN ${OUTBOX_CHANNEL}`);
    }
    return runner;
  }

  private dropConnection(err?: unknown): void {
    const runner = this.runner;
    this.runner = undefined;
    this.unlisten?.();
    this.unlisten = undefined;
    if (!runner || runner.isReleased) return;
    // With an error the pool destroys the connection instead of reusing it (it is still LISTENing).
    const release = (runner as unknown as { releasePostgresConnection?: (e?: unknown) => Promise<void> }).releasePostgresConnection;
    void (release ? release.call(runner, err ?? new Error('outbox relay closed')) : runner.release()).catch(() => undefined);
  }

  /** Deletes sent rows past their retention, in short transactions; resolves with how many. */
  async prune(): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ count }] = await this.dataSource.query(PRUNE_OUTBOX, [this.options.retentionMs, PRUNE_BATCH_SIZE]);
      total += count;
      if (count < PRUNE_BATCH_SIZE || this.closed) return total;
    }
  }

  /** Pending rows and the oldest one's age (one query), with this process's counters. */
  async getStats(): Promise<OutboxStats> {
    const [row] = await this.dataSource.query(OUTBOX_STATS);
    return {
      pending: row.pending,
      oldestPendingAgeMs: Math.max(0, Math.round(row.oldest_ms)),
      published: this.published,
      failedAttempts: this.failedAttempts,
      relaying: this.running !== undefined && !this.closed,
    };
  }

  private async publish(runner: QueryRunner, rows: OutboxRow[]): Promise<RelayPass> {
    // Rows arrive in id order; a key's rows stay in that order within its lane.
    const lanes = new Map<string, OutboxRow[]>();
    let keyless = 0;
    for (const row of rows) {
      const lane = row.message_key ?? `\u0000${keyless++}`;
      const list = lanes.get(lane);
      if (list) list.push(row);
      else lanes.set(lane, [row]);
    }
    const sent: string[] = [];
    const failed = new Map<string, string[]>();
    await Promise.all(
      [...lanes.values()].map(async lane => {
        for (const row of lane) {
          try {
            await lastValueFrom(this.publisher.emit(row.topic, recordOf(row)));
            sent.push(row.id);
          } catch (err) {
            const message = String((err as Error)?.message ?? err).slice(0, 1_000);
            failed.set(message, [...(failed.get(message) ?? []), row.id]);
            return;
          }
        }
      }),
    );
    if (sent.length) await runner.query(this.options.retentionMs > 0 ? MARK_OUTBOX_SENT : DELETE_OUTBOX_SENT, [sent]);
    let failedCount = 0;
    for (const [message, ids] of failed) {
      failedCount += ids.length;
      await runner.query(MARK_OUTBOX_FAILED, [ids, message]);
    }
    return { claimed: rows.length, published: sent.length, failed: failedCount };
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let pass: RelayPass | undefined;
      const startedAt = Date.now();
      try {
        pass = await this.relayOnce();
        if (this.failures && !pass.failed) this.logger.log(`Outbox relay recovered after ${this.failures} failed pass(es)`);
        if (pass.failed) {
          this.failures++;
          this.warn('publish', new Error(`${pass.failed} row(s) could not be published`));
        } else this.failures = 0;
      } catch (err) {
        this.failures++;
        this.warn('relay', err);
      }
      if (this.closed) return;
      // A full batch that went out cleanly: there is likely more, go again at once.
      if (pass && !pass.failed && pass.claimed >= this.options.batchSize) continue;
      const delay = this.failures
        ? Math.min(this.options.maxRetryDelayMs, 100 * 2 ** Math.min(this.failures, 16))
        : this.options.pollIntervalMs;
      await this.sleep(delay, !this.failures);
      // Under a stream of commits every one would wake a pass of a row or two; spacing passes a
      // few ms apart lets rows gather, so a pass (one claim, one update, one commit) carries many.
      const spacing = startedAt + this.options.minPassIntervalMs - Date.now();
      if (spacing > 0 && !this.closed) await new Promise(resolve => setTimeout(resolve, spacing));
    }
  }

  /** Waits `ms`, or less when a notification arrives (if `wakeable`) or `close()` is called. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    this.wakeable = wakeable;
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private onNotification(): void {
    if (this.wake && this.wakeable) this.wake();
    else this.woken = true;
  }

  private warn(what: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < RECORDER_WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(`Outbox ${what} failed (retrying): ${(err as Error)?.message ?? err}`);
  }
}

/** The part of a `pg` client the listener uses. */
interface ListenClient {
  on(event: 'notification', listener: (msg: { channel: string }) => void): void;
  removeListener(event: string, listener: (...args: any[]) => void): void;
}
