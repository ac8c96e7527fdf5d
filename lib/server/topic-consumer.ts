import type { LoggerService } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { decodeEnvelope } from '../codec/envelope.codec.js';
import type { DecodedEnvelope } from '../codec/envelope.js';
import { retryDelay, type RedisConnection } from '../connection/create-redis-connection.js';
import { RETRY_POLL_MS } from '../constants.js';
import type { ClaimedEntries, RedisStreamsScripts, StreamEntry } from '../scripts/redis-streams-scripts.js';
import type { ResolvedRetryPolicy } from '../interfaces/retry-options.interface.js';
import type { Delivery, Settler, TopicGroupKeys } from './settler.js';

/** Keys a consumer uses: the settle keys plus the topic's paused-groups set. */
export type TopicConsumerKeys = TopicGroupKeys & { paused: string };

/** How often a consumer checks whether its group was paused (SPEC: every instance stops within 1 s). */
const PAUSE_POLL_MS = 400;

/** Resolved options of one (topic, group) consumer. */
export interface TopicConsumerOptions {
  topic: string;
  group: string;
  consumer: string;
  concurrency: number;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  startFrom: 'latest' | 'earliest';
}

/** Runs the handlers of one delivery; resolves on success, rejects with the handler's error. */
export type InvokeHandlers = (envelope: DecodedEnvelope, delivery: Delivery) => Promise<void>;

/**
 * Consumes one topic for one consumer group: a blocking XREADGROUP loop on its own connection,
 * at most `concurrency` deliveries in flight (no read while no slot is free), due retries and
 * takeovers of crashed consumers' entries, and lease extension of slow live handlers.
 */
export class TopicConsumer {
  private readonly inFlight = new Map<string, Delivery>();
  private slotWaiter: (() => void) | undefined;
  private drainWaiter: (() => void) | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readerId: number | undefined;
  private readerIdStale = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDueAt = Infinity;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private reclaimCursor = '-';
  private pauseTimer: NodeJS.Timeout | undefined;
  private resumeWaiter: (() => void) | undefined;
  /** True while the group is paused (`RedisStreamsAdmin.pauseGroup`): no reads, no claims. */
  paused = false;
  /** Epoch ms of the last XREADGROUP answer (or of start): the read loop's heartbeat. */
  lastReadAt = 0;

  constructor(
    private readonly command: RedisConnection,
    private readonly reader: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    readonly keys: TopicConsumerKeys,
    readonly options: TopicConsumerOptions,
    private readonly settler: Settler,
    private readonly invoke: InvokeHandlers,
    private readonly logger: LoggerService,
  ) {
    reader.on('ready', () => (this.readerIdStale = true));
  }

  /** Creates the group if needed and starts reading. */
  async start(): Promise<void> {
    await this.ensureGroup();
    await this.checkPaused();
    this.pauseTimer = setInterval(() => void this.checkPaused(), PAUSE_POLL_MS);
    this.pauseTimer.unref();
    this.lastReadAt = Date.now();
    this.loop = this.readLoop();
    this.scheduleRetryCheck(Date.now());
    const every = Math.max(50, Math.min(this.options.claimIdleMs / 3, 10_000));
    this.maintenanceTimer = setInterval(() => void this.maintain(), every);
    this.maintenanceTimer.unref();
  }

  /** True while the loop reads, waits for a free slot, or has answered within a few blocks. */
  isAlive(now = Date.now()): boolean {
    return !!this.loop && (this.paused || this.slotWaiter !== undefined || now - this.lastReadAt < 3 * this.options.blockMs + 10_000);
  }

  /** Changes the policy live: concurrency from the next read, retry / dead-lettering from the next failure. */
  updatePolicy(policy: { retry?: ResolvedRetryPolicy; deadLetter?: boolean; concurrency?: number }): void {
    if (policy.concurrency !== undefined) {
      if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1) throw new RangeError('concurrency must be an integer ≥ 1');
      this.options.concurrency = policy.concurrency;
      this.slotWaiter?.();
    }
    const { retry, deadLetter } = policy;
    this.settler.updatePolicy({ ...(retry && { retry }), ...(deadLetter !== undefined && { deadLetter }) });
  }

  /** Wakes the retry check by `dueAt` (a retry was just scheduled). */
  retryScheduled(dueAt: number): void {
    if (dueAt < this.retryDueAt) this.scheduleRetryCheck(dueAt);
  }

  /**
   * Stops reading, waits up to `timeoutMs` for in-flight handlers, writes their acks, and
   * removes this consumer from the group only if it owns no pending entry.
   */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => sleep(Math.max(0, deadline - Date.now()));
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.maintenanceTimer);
    clearInterval(this.pauseTimer);
    this.slotWaiter?.();
    this.resumeWaiter?.();
    // Every wait is bounded by the deadline: during an outage these commands would queue forever.
    await Promise.race([this.unblockReader().then(() => this.loop), remaining()]);
    if (this.inFlight.size) {
      await Promise.race([new Promise<void>(resolve => (this.drainWaiter = resolve)), remaining()]);
    }
    await Promise.race([this.settler.drain(), remaining()]);
    if (this.inFlight.size) {
      this.logger.warn?.(
        `${this.options.topic}/${this.options.group}: ${this.inFlight.size} handler(s) still running after ${timeoutMs} ms; their messages stay pending and will be taken over`,
      );
      return;
    }
    const removed = this.scripts.removeConsumerIfIdle(this.keys.stream, this.options.group, this.options.consumer);
    await Promise.race([removed, remaining()]).catch(err =>
      this.logger.warn?.(`${this.options.topic}/${this.options.group}: could not remove consumer: ${(err as Error).message}`),
    );
  }

  private async ensureGroup(): Promise<void> {
    const start = this.options.startFrom === 'earliest' ? '0' : '$';
    try {
      await this.command.xgroup('CREATE', this.keys.stream, this.options.group, start, 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  private async readLoop(): Promise<void> {
    const { group, consumer, batchSize, blockMs } = this.options;
    let failures = 0;
    while (!this.stopping) {
      if (this.paused) {
        await new Promise<void>(resolve => (this.resumeWaiter = resolve));
        this.resumeWaiter = undefined;
        continue;
      }
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>(resolve => (this.slotWaiter = resolve));
        this.slotWaiter = undefined;
        continue;
      }
      try {
        if (this.readerIdStale) await this.refreshReaderId();
        const reply = (await this.reader.xreadgroup(
          'GROUP', group, consumer, 'COUNT', Math.min(batchSize, free), 'BLOCK', blockMs,
          'STREAMS', this.keys.stream, '>',
        )) as [string, StreamEntry[]][] | null;
        this.lastReadAt = Date.now();
        failures = 0;
        if (reply) {
          this.dispatch(reply[0][1], undefined);
          // Let this batch's fast handlers finish first: the next read then asks for a full batch
          // instead of one entry per freed slot (fewer round trips, XREADGROUPs and XACKs).
          await new Promise<void>(resolve => setImmediate(resolve));
        }
      } catch (err) {
        if (this.stopping) break;
        failures++;
        const message = (err as Error).message ?? String(err);
        if (message.includes('NOGROUP')) {
          // The stream or group was deleted (e.g. deleteTopic): recreate it and go on.
          await this.ensureGroup().catch(() => undefined);
        } else if (failures === 1 || failures % 50 === 0) {
          this.logger.warn?.(`${this.options.topic}/${group}: read failed (${failures}x), retrying: ${message}`);
        }
        await sleep(retryDelay(failures));
      }
    }
  }

  private dispatch(entries: StreamEntry[], attempts: Map<string, number> | undefined): void {
    for (const [entryId, fields] of entries) {
      const attempt = attempts?.get(entryId) ?? 1;
      const envelope = decodeEnvelope(fields, entryId);
      if (typeof envelope === 'string') {
        this.settler.malformed(entryId, fields, envelope, attempt);
        continue;
      }
      const delivery: Delivery = {
        entryId,
        fields,
        attempt,
        messageId: envelope.id,
        publishedAt: envelope.publishedAt,
        headers: envelope.headers,
        startedAt: Date.now(),
      };
      this.inFlight.set(entryId, delivery);
      this.invoke(envelope, delivery).then(
        () => this.release(delivery, undefined, true),
        err => this.release(delivery, err, false),
      );
    }
  }

  private release(delivery: Delivery, error: unknown, ok: boolean): void {
    if (ok) this.settler.succeeded(delivery);
    else this.settler.failed(delivery, error);
    this.inFlight.delete(delivery.entryId);
    const waiter = this.slotWaiter;
    if (waiter) {
      this.slotWaiter = undefined;
      waiter();
    }
    if (this.drainWaiter && this.inFlight.size === 0) this.drainWaiter();
  }

  /** Follows the group's paused state in Redis; a pause also ends a blocked read at once. */
  private async checkPaused(): Promise<void> {
    let paused: boolean;
    try {
      paused = (await this.command.sismember(this.keys.paused, this.options.group)) === 1;
    } catch {
      return; // keep the last known state through an outage
    }
    if (paused === this.paused || this.stopping) return;
    this.paused = paused;
    if (paused) {
      this.logger.log?.(`${this.options.topic}/${this.options.group}: paused`);
      await this.unblockReader();
    } else {
      this.logger.log?.(`${this.options.topic}/${this.options.group}: resumed`);
      this.resumeWaiter?.();
      this.scheduleRetryCheck(Date.now());
    }
  }

  private scheduleRetryCheck(dueAt: number): void {
    if (this.stopping) return;
    clearTimeout(this.retryTimer);
    const at = Math.min(dueAt, Date.now() + RETRY_POLL_MS);
    this.retryDueAt = at;
    this.retryTimer = setTimeout(() => void this.claimDueRetries(), Math.max(0, at - Date.now()));
    this.retryTimer.unref();
  }

  private async claimDueRetries(): Promise<void> {
    this.retryDueAt = Infinity;
    const free = this.paused ? 0 : this.options.concurrency - this.inFlight.size;
    let next = Date.now() + (free > 0 || this.paused ? RETRY_POLL_MS : 50);
    if (free > 0) {
      try {
        const claimed = await this.scripts.claimRetries(this.keys, this.options.group, this.options.consumer, Date.now(), free);
        this.takeClaimed(claimed, 'retry');
        if (claimed.nextDue !== undefined) next = Math.min(next, claimed.nextDue);
        if (claimed.entries.length === free) next = Date.now();
      } catch (err) {
        if (!this.stopping) this.logger.warn?.(`${this.options.topic}/${this.options.group}: retry check failed: ${(err as Error).message}`);
      }
    }
    if (next < this.retryDueAt) this.scheduleRetryCheck(next);
  }

  /** Periodic: take over entries of crashed consumers, extend leases of slow live handlers. */
  private async maintain(): Promise<void> {
    const { group, consumer, claimIdleMs } = this.options;
    try {
      const since = Date.now() - claimIdleMs / 3;
      const slow = [...this.inFlight.values()].filter(d => d.startedAt <= since).map(d => d.entryId);
      if (slow.length) await this.scripts.extendLease(this.keys.stream, group, consumer, slow);
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0 || this.stopping || this.paused) return;
      const claimed = await this.scripts.reclaimIdle(this.keys, group, consumer, claimIdleMs, free, this.reclaimCursor);
      this.reclaimCursor = claimed.cursor;
      this.takeClaimed(claimed, 'takeover');
    } catch (err) {
      if (!this.stopping) this.logger.warn?.(`${this.options.topic}/${group}: maintenance failed: ${(err as Error).message}`);
    }
  }

  private takeClaimed(claimed: ClaimedEntries, why: 'retry' | 'takeover'): void {
    if (claimed.deleted.length) {
      this.logger.warn?.(
        `${this.options.topic}/${this.options.group}: ${claimed.deleted.length} pending entr(ies) were trimmed or deleted before ${why} (${claimed.deleted.slice(0, 5).join(', ')}); cleared from the PEL`,
      );
      void this.command.hdel(this.keys.failures, ...claimed.deleted).catch(() => undefined);
    }
    if (claimed.entries.length) this.dispatch(claimed.entries, claimed.attempts);
  }

  private async refreshReaderId(): Promise<void> {
    this.readerIdStale = false;
    this.readerId = this.reader instanceof Cluster ? undefined : Number(await this.reader.client('ID'));
  }

  /** Ends a blocked XREADGROUP at once (standalone Redis); on a cluster the block simply times out. */
  private async unblockReader(): Promise<void> {
    if (this.readerId === undefined) return;
    await this.command.client('UNBLOCK', this.readerId).catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms).unref());
}
