import { Logger, type LoggerService } from '@nestjs/common';
import { hostname } from 'node:os';
import { DEFAULT_PREFIX } from '../constants.js';
import { StreamKeys } from '../keys/stream-keys.js';
import type {
  ConsumerStartedEvent,
  MessagePublishedEvent,
  MessageSettledEvent,
  RedisStreamsObserver,
} from '../observer/redis-streams-observer.interface.js';
import { columnsOf, rejectionReason, writeSplitting, type SplitWrite } from './batch-split.js';
import { copyPoolOf, writeConsumptionByCopy } from './consumption-copy.js';
import type { RedisStreamsPersistenceOptions } from './interfaces/redis-streams-persistence-options.interface.js';
import {
  DEFAULT_CORRELATION_HEADER,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFER_SIZE,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RECORD_BATCH_SIZE,
  DEFAULT_TENANT_HEADER,
  RECORDER_WARN_EVERY_MS,
} from './persistence.constants.js';
import { consumptionColumns, messageColumns, toPgArray, type RowHeaders } from './record-rows.js';
import { RecorderRegistrations, subscriptionKey } from './recorder-registrations.js';
import {
  INSERT_CONSUMPTION,
  INSERT_CONSUMPTION_AND_SETTLE_MESSAGES,
  INSERT_MESSAGES,
} from './recorder.sql.js';

/**
 * What the recorder needs of a database: a TypeORM `DataSource` or `EntityManager` (resolving with
 * the rows) and a `pg` `Pool` or `Client` (resolving with `{ rows }`) both fit.
 */
export interface RecorderDatabase {
  query(sql: string, parameters?: unknown[]): Promise<any>;
  /**
   * For a wrapper: the DataSource or `pg` `Pool` it queries, so consumption records can be
   * written with COPY (see `copyPoolOf`); without it, a wrapper gets the INSERT path.
   */
  unwrap?(): unknown;
}

/** Which kind of row: a consumption record or a message record. */
export type RecordKind = 'consumption' | 'message';

/** Counters of the recorder, e.g. for metrics or a status endpoint. */
export interface RecorderStats {
  /** Records waiting in memory. */
  buffered: number;
  written: Record<RecordKind, number>;
  dropped: Record<RecordKind, number>;
  /** Flushes that failed (each is retried with backoff). */
  failedFlushes: number;
}

/** Callbacks the module connects to metrics; both run off the hot path (at flush or drop time). */
export interface RecorderHooks {
  onWritten?(kind: RecordKind, count: number): void;
  onDropped?(kind: RecordKind, count: number): void;
  onFlushed?(stats: RecorderStats): void;
}

/**
 * Writes what the transport reports to PostgreSQL, off the hot path. Observer calls only push to
 * an in-memory buffer (O(1), never awaiting, never throwing); a timer flushes it with one
 * multi-row INSERT per batch, or one COPY for consumption records on a `pg` pool. While the database is slow or down, records wait up to
 * `maxBufferSize`, then new ones are dropped and counted: message processing never waits on it.
 * A record PostgreSQL refuses for its data is dropped and counted on its own, the rest of its
 * batch written (`writeSplitting`): it would fail the same way on every retry.
 * @publicApi
 */
export class ConsumptionRecorder implements RedisStreamsObserver {
  private settled: MessageSettledEvent[] = [];
  private settledAt: number[] = [];
  /**
   * Row ids of the first records of `settled`, kept from a failed write (COPY or INSERT): it may
   * have committed with its answer lost, and the retry skips the rows already there by their ids.
   */
  private settledIds: string[] = [];
  private published: MessagePublishedEvent[] = [];
  private readonly registrations = new Map<string, ConsumerStartedEvent>();
  private readonly rows: RecorderRegistrations;
  private readonly stats: RecorderStats = {
    buffered: 0,
    written: { consumption: 0, message: 0 },
    dropped: { consumption: 0, message: 0 },
    failedFlushes: 0,
  };
  private readonly options: Required<Omit<RedisStreamsPersistenceOptions, 'subscriptionDefaults' | 'dataSourceName'>> &
    Pick<RedisStreamsPersistenceOptions, 'subscriptionDefaults'>;
  private readonly headers: RowHeaders;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private inFlight = 0;
  private kickScheduled = false;
  private failures = 0;
  private nextAttemptAt = 0;
  private closed = false;
  private lastFailureWarnAt = 0;
  private lastDropWarnAt = 0;
  private droppedSinceWarn = 0;
  private lastRefusalWarnAt = 0;
  private refusedSinceWarn = 0;

  constructor(
    private readonly database: RecorderDatabase,
    options: RedisStreamsPersistenceOptions = {},
    private readonly hooks: RecorderHooks = {},
    private readonly logger: LoggerService = new Logger(ConsumptionRecorder.name),
  ) {
    this.options = {
      recordMessages: options.recordMessages ?? false,
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      batchSize: options.batchSize ?? DEFAULT_RECORD_BATCH_SIZE,
      maxBufferSize: options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE,
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
      tenantHeader: options.tenantHeader ?? DEFAULT_TENANT_HEADER,
      correlationHeader: options.correlationHeader ?? DEFAULT_CORRELATION_HEADER,
      producerId: options.producerId ?? `${hostname()}-${process.pid}`,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      subscriptionDefaults: options.subscriptionDefaults,
    };
    this.headers = { tenant: this.options.tenantHeader, correlation: this.options.correlationHeader };
    this.rows = new RecorderRegistrations(database, new StreamKeys(this.options.prefix), this.options.subscriptionDefaults);
    this.timer = setInterval(() => this.tick(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Registers the topic and the group's subscription at the next flush. */
  onConsumerStarted(event: ConsumerStartedEvent): void {
    if (this.closed) return;
    this.registrations.set(subscriptionKey(event.topic, event.group), event);
    this.kick();
  }

  /** Buffers one consumption record. */
  onMessageSettled(event: MessageSettledEvent): void {
    if (this.closed) return;
    if (this.isFull()) return this.drop('consumption', 1);
    this.settled.push(event);
    this.settledAt.push(Date.now());
    if (this.settled.length >= this.options.batchSize) this.kick();
  }

  /** Buffers one message record, when `recordMessages` is on. */
  onMessagePublished(event: MessagePublishedEvent): void {
    if (this.closed || !this.options.recordMessages) return;
    if (this.isFull()) return this.drop('message', 1);
    this.published.push(event);
    if (this.published.length >= this.options.batchSize) this.kick();
  }

  /** A snapshot of the counters. */
  getStats(): RecorderStats {
    return {
      ...this.stats,
      buffered: this.buffered(),
      written: { ...this.stats.written },
      dropped: { ...this.stats.dropped },
    };
  }

  /**
   * Writes everything buffered so far, batch after batch; resolves when the buffer is empty or
   * a write failed (the records then stay buffered for the next attempt).
   */
  async flush(): Promise<void> {
    for (;;) {
      await (this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined)));
      if (!this.buffered() && !this.registrations.size) return;
      if (this.failures) return;
    }
  }

  /** Stops accepting records and writes what is buffered, for at most `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush().catch(() => undefined), timeout]);
    clearTimeout(timer);
    // A batch still being written (timed out) is left to finish on its own.
    const left = this.settled.length + this.published.length;
    if (left) {
      this.logger.warn(`Closing with ${left} record(s) not written (database unavailable); they are dropped`);
      this.drop('consumption', this.settled.length, true);
      this.drop('message', this.published.length, true);
      this.settled = [];
      this.settledAt = [];
      this.settledIds = [];
      this.published = [];
    }
  }

  /** Records held in memory: waiting, plus the batch being written (it may come back). */
  private buffered(): number {
    return this.settled.length + this.published.length + this.inFlight;
  }

  private isFull(): boolean {
    return this.buffered() >= this.options.maxBufferSize;
  }

  /**
   * Runs the write of a batch taken out of the buffer, counting it as held meanwhile; an error
   * before any record was written (e.g. registering its topic) fails the whole batch.
   */
  private async writing(count: number, write: () => Promise<SplitWrite>): Promise<SplitWrite> {
    this.inFlight += count;
    try {
      return await write();
    } catch (error) {
      return { settled: 0, rejected: [], failed: true, error };
    } finally {
      this.inFlight -= count;
    }
  }

  private drop(kind: RecordKind, count: number, quiet = false): void {
    if (!count) return;
    this.stats.dropped[kind] += count;
    this.droppedSinceWarn += count;
    safely(() => this.hooks.onDropped?.(kind, count));
    const now = Date.now();
    if (!quiet && now - this.lastDropWarnAt >= RECORDER_WARN_EVERY_MS) {
      this.lastDropWarnAt = now;
      this.logger.warn(
        `Record buffer full (${this.options.maxBufferSize}): dropped ${this.droppedSinceWarn} record(s) since the last warning; messages are still processed`,
      );
      this.droppedSinceWarn = 0;
    }
  }

  /** Flushes soon, outside the caller's stack (the caller is on the hot path). */
  private kick(): void {
    if (this.kickScheduled || this.flushing) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.tick();
    });
  }

  private tick(): void {
    if (this.flushing || Date.now() < this.nextAttemptAt) return;
    if (!this.buffered() && !this.registrations.size) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = undefined;
      // A backlog (e.g. after an outage) drains batch after batch, without waiting for the timer.
      if (!this.failures && (this.settled.length >= this.options.batchSize || this.published.length >= this.options.batchSize)) {
        this.kick();
      }
    });
  }

  /** One flush: pending registrations, then one batch of message records, then one of consumption records. */
  private async flushOnce(): Promise<void> {
    try {
      for (const [key, event] of this.registrations) {
        await this.rows.subscription(event.topic, event.group);
        this.registrations.delete(key);
      }
      if (this.published.length) await this.writeMessages();
      if (this.settled.length) await this.writeConsumption();
      if (this.failures) this.logger.log(`Database writes recovered after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      this.nextAttemptAt = 0;
    } catch (err) {
      this.failures++;
      this.stats.failedFlushes++;
      const delay = Math.min(this.options.maxRetryDelayMs, this.options.flushIntervalMs * 2 ** this.failures);
      this.nextAttemptAt = Date.now() + delay;
      const now = Date.now();
      if (now - this.lastFailureWarnAt >= RECORDER_WARN_EVERY_MS) {
        this.lastFailureWarnAt = now;
        this.logger.warn(
          `Could not write records (${this.buffered()} buffered, retrying in ${delay} ms): ${(err as Error)?.message ?? err}`,
        );
      }
    } finally {
      safely(() => this.hooks.onFlushed?.(this.getStats()));
    }
  }

  private async writeMessages(): Promise<void> {
    const batch = this.take(this.published, this.options.batchSize);
    this.published = batch.rest;
    const result = await this.writing(batch.taken.length, async () => {
      for (const topic of new Set(batch.taken.map(e => e.topic))) await this.rows.topic(topic);
      const cols = messageColumns(
        batch.taken,
        e => this.rows.knownTopic(e.topic)!.id,
        e => this.rows.knownTopic(e.topic)!.retentionMs,
        this.options.producerId,
        this.headers,
      );
      return writeSplitting(batch.taken.length, (from, to) =>
        this.database.query(INSERT_MESSAGES, columnsOf(cols, from, to).map(toPgArray)),
      );
    });
    this.settle('message', result, i => `message ${batch.taken[i].messageId} on ${batch.taken[i].topic}`);
    if (!result.failed) return;
    this.published = this.putBack('message', batch.taken.slice(result.settled), this.published);
    throw result.error;
  }

  private async writeConsumption(): Promise<void> {
    const events = this.take(this.settled, this.options.batchSize);
    const times = this.take(this.settledAt, this.options.batchSize);
    const known = this.take(this.settledIds, this.options.batchSize);
    this.settled = events.rest;
    this.settledAt = times.rest;
    this.settledIds = known.rest;
    let rowIds = known.taken;
    const result = await this.writing(events.taken.length, async () => {
      // A batch nearly always holds one (topic, group): compare with the previous row, no per-row key.
      let topic: string | undefined;
      let group: string | undefined;
      let id = '';
      const ids = new Array<string>(events.taken.length);
      for (let i = 0; i < events.taken.length; i++) {
        const e = events.taken[i];
        if (e.topic !== topic || e.group !== group) {
          topic = e.topic;
          group = e.group;
          id = this.rows.knownSubscription(topic, group) ?? (await this.rows.subscription(topic, group));
        }
        ids[i] = id;
      }
      // COPY where it applies: it costs PostgreSQL about 30 % less CPU per row. The settling
      // of message records reads the batch's rows inside the INSERT statement, so it keeps that.
      const pool = this.options.recordMessages ? undefined : copyPoolOf(this.database.unwrap?.() ?? this.database);
      const sql = this.options.recordMessages ? INSERT_CONSUMPTION_AND_SETTLE_MESSAGES : INSERT_CONSUMPTION;
      const cols = consumptionColumns(events.taken, times.taken, ids, this.headers, known.taken);
      rowIds = cols[12] as string[];
      return writeSplitting(events.taken.length, (from, to) => {
        const part = columnsOf(cols, from, to);
        return pool ? writeConsumptionByCopy(pool, part) : this.database.query(sql, part.map(toPgArray));
      });
    });
    const e = events.taken;
    this.settle('consumption', result, i => `message ${e[i].messageId} on ${e[i].topic}, group ${e[i].group}`);
    if (!result.failed) return;
    // The rest goes back in front with its row ids, as far as the bound allows; the excess is dropped.
    const from = result.settled;
    const kept = Math.min(Math.max(0, this.options.maxBufferSize - this.buffered()), e.length - from);
    this.drop('consumption', e.length - from - kept);
    this.settled = e.slice(from, from + kept).concat(this.settled);
    this.settledAt = times.taken.slice(from, from + kept).concat(this.settledAt);
    this.settledIds = rowIds.slice(from, from + kept).concat(this.settledIds);
    throw result.error;
  }

  /**
   * Counts what a batch write settled: the records written, and those PostgreSQL refused, which
   * are dropped with one warning (at most every `RECORDER_WARN_EVERY_MS`) naming the first.
   */
  private settle(kind: RecordKind, result: SplitWrite, describe: (index: number) => string): void {
    const written = result.settled - result.rejected.length;
    if (written) {
      this.stats.written[kind] += written;
      safely(() => this.hooks.onWritten?.(kind, written));
    }
    if (!result.rejected.length) return;
    this.drop(kind, result.rejected.length, true);
    this.refusedSinceWarn += result.rejected.length;
    const now = Date.now();
    if (now - this.lastRefusalWarnAt < RECORDER_WARN_EVERY_MS) return;
    this.lastRefusalWarnAt = now;
    const [first] = result.rejected;
    this.logger.warn(
      `PostgreSQL refused ${this.refusedSinceWarn} record(s) since the last warning, dropped; the first, ${kind} record of ${describe(first.index)}: ${rejectionReason(first.error)}`,
    );
    this.refusedSinceWarn = 0;
  }

  /** The first `count` items and the rest, without copying when everything is taken. */
  private take<T>(items: T[], count: number): { taken: T[]; rest: T[] } {
    if (items.length <= count) return { taken: items, rest: [] };
    return { taken: items.slice(0, count), rest: items.slice(count) };
  }

  /** A failed batch goes back in front, as far as the bound allows; the excess is dropped. */
  private putBack<T>(kind: RecordKind, batch: T[], rest: T[]): T[] {
    const room = Math.max(0, this.options.maxBufferSize - this.buffered());
    const kept = Math.min(room, batch.length);
    this.drop(kind, batch.length - kept);
    return batch.slice(0, kept).concat(rest);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A metrics hook must never break recording.
  }
}
