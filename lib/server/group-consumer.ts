import type { LoggerService } from '@nestjs/common';
import { decodeEnvelope } from '../codec/envelope.codec.js';
import type { DecodedEnvelope } from '../codec/envelope.js';
import { retryDelay, type RedisConnection } from '../connection/create-redis-connection.js';
import type { ResolvedRetryPolicy } from '../interfaces/retry-options.interface.js';
import type { RedisStreamsScripts, StreamEntry } from '../scripts/redis-streams-scripts.js';
import { Claimer } from './claimer.js';
import { drainAndLeave } from './consumer-stop.js';
import type { Delivery, InvokeHandlers } from './delivery.js';
import { laterEntryId } from './entry-id.js';
import { OwnedDeliveries } from './owned-deliveries.js';
import type { Settler, TopicGroupKeys } from './settler.js';

/** Keys a consumer uses: the settle keys plus the topic's paused-groups set. */
export type GroupConsumerKeys = TopicGroupKeys & { paused: string };

/** Resolved options of one (topic, group) consumer. */
export interface GroupConsumerOptions {
  topic: string;
  group: string;
  consumer: string;
  concurrency: number;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  startFrom: 'latest' | 'earliest';
}

/** The server-wide services a consumer registers with; it never owns a timer or a connection of its own. */
export interface ConsumerServices {
  /** Wakes the consumer (`wake()`) once its stream has an entry after `caughtUpTo`. */
  wakeUp: {
    watch(consumer: GroupConsumer): void;
    /** Resolves once a read the reader made for this consumer has ended (its entries delivered). */
    unwatch(consumer: GroupConsumer): Promise<void>;
    readonly lastAnswerAt: number;
  };
  /** Calls the consumer's `claimDueRetries()` at the given time. */
  due: { retryAt(consumer: GroupConsumer, at: number): void; forget(consumer: GroupConsumer): void };
}

/** The read window grows up to this many batches while handlers keep up (see `readWindow`). */
const MAX_READ_WINDOW_BATCHES = 8;

/** How long a consumer without a free slot waits before it checks its due retries again. */
const FULL_RETRY_RECHECK_MS = 50;

/**
 * Consumes one topic for one consumer group, without a connection or a timer of its own:
 * non-blocking XREADGROUPs on the server's command connection while entries come back (reading
 * up to `batchSize` entries ahead of the free handler slots, so a handler never waits a round
 * trip while messages are waiting), and once a read comes back empty it registers with the
 * server's wake-up reader until its stream gets a new entry. At most `concurrency` handlers run.
 */
export class GroupConsumer {
  /** Entries this consumer owns: running, or read ahead and queued. Their leases are kept. */
  private readonly owned = new OwnedDeliveries();
  private readonly queue: { envelope: DecodedEnvelope; delivery: Delivery }[] = [];
  private running = 0;
  private reading = false;
  /** The next read also fetches the stream's last id, to move `caughtUpTo` when it comes back short (after a wake-up). */
  private probeNext = true;
  private failures = 0;
  private stopping = false;
  private readonly io = new Set<Promise<unknown>>();
  /** Claims retries that fell due and takeovers of crashed consumers' entries; answers with what it claimed. */
  private readonly claimer: Claimer;
  /**
   * Entries read ahead beyond the handler slots, and the most one read asks for: `batchSize`, grown
   * (up to `MAX_READ_WINDOW_BATCHES` batches) while handlers run dry before the next read answers,
   * shrunk back once entries queue up. Slow handlers keep it at `batchSize`, so one consumer never
   * hoards entries other replicas of its group could run; fast ones read in larger batches (fewer
   * round trips, reads and acks per message).
   */
  private readWindow: number;
  /** True while registered with the wake-up reader (the stream was drained). */
  waiting = false;
  /**
   * An entry id up to which the group has read everything: the wake-up reader waits for entries
   * after it. Never ahead of an entry the group has not read (later is safe, earlier only wakes
   * the consumer once for nothing).
   */
  caughtUpTo = '0-0';
  /** True while the group is paused (`RedisStreamsAdmin.pauseGroup`): no reads, no claims. */
  paused = false;
  /** Epoch ms of the last XREADGROUP answer (or of start). */
  lastReadAt = 0;

  constructor(
    private readonly command: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    readonly keys: GroupConsumerKeys,
    readonly options: GroupConsumerOptions,
    private readonly settler: Settler,
    private readonly invoke: InvokeHandlers,
    private readonly services: ConsumerServices,
    private readonly logger: LoggerService,
  ) {
    this.readWindow = options.batchSize;
    this.claimer = new Claimer(command, scripts, keys, options, logger);
  }

  /** Entries it may own at once: `concurrency` running plus the read window. */
  get capacity(): number {
    return this.options.concurrency + this.readWindow;
  }

  /**
   * Creates the group if needed, reads whether it is paused and when its earliest retry is due
   * (one round trip), then starts reading.
   */
  async start(): Promise<void> {
    const [, paused, firstRetry] = await Promise.all([
      this.ensureGroup(this.options.startFrom === 'earliest' ? '0' : '$'),
      this.command.sismember(this.keys.paused, this.options.group),
      this.command.zrange(this.keys.retry, '0', '0', 'WITHSCORES') as Promise<string[]>,
    ]);
    this.paused = paused === 1;
    this.lastReadAt = Date.now();
    if (firstRetry.length === 2) this.services.due.retryAt(this, Number(firstRetry[1]));
    this.pump();
  }

  /** Epoch ms it last heard from Redis: its own last read, or while waiting its wake-up reader's last answer. */
  get heardAt(): number {
    return this.waiting ? Math.max(this.lastReadAt, this.services.wakeUp.lastAnswerAt) : this.lastReadAt;
  }

  /** True while it reads, runs or waits for handlers, is paused, or its wake-up reader answered lately. */
  isAlive(now = Date.now()): boolean {
    if (this.stopping) return false;
    if (this.paused || this.reading || this.owned.size > 0) return true;
    return now - this.heardAt < 3 * this.options.blockMs + 10_000;
  }

  /** Changes the policy live: concurrency at once, retry / dead-lettering from the next failure. */
  updatePolicy(policy: { retry?: ResolvedRetryPolicy; deadLetter?: boolean; concurrency?: number }): void {
    if (policy.concurrency !== undefined) {
      if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1) throw new RangeError('concurrency must be an integer ≥ 1');
      this.options.concurrency = policy.concurrency;
      this.dispatch();
      this.pump();
    }
    const { retry, deadLetter } = policy;
    this.settler.updatePolicy({ ...(retry && { retry }), ...(deadLetter !== undefined && { deadLetter }) });
  }

  /** The wake-up reader saw an entry after `caughtUpTo`: read again. */
  wake(): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.probeNext = true;
    this.pump();
  }

  /** How many entries a read may ask for now (free handler slots plus the read-ahead). */
  get room(): number {
    return Math.min(this.readWindow, this.capacity - this.owned.size);
  }

  /**
   * The wake-up reader read for this consumer (a blocking XREADGROUP of `count`, while it was the
   * only one waiting). A short answer means the stream is drained: wait again at once.
   */
  delivered(entries: StreamEntry[], count: number): void {
    this.waiting = false;
    this.lastReadAt = Date.now();
    if (entries.length) this.caughtUpTo = laterEntryId(this.caughtUpTo, entries[entries.length - 1][0]);
    this.adaptReadWindow(entries.length, count);
    this.accept(entries, undefined);
    if (entries.length < count) this.wait();
    else this.pump();
  }

  /** Follows a pause / resume of the group; a resume also looks for retries that fell due meanwhile. */
  setPaused(paused: boolean): void {
    if (paused === this.paused || this.stopping) return;
    this.paused = paused;
    this.logger.log?.(`${this.options.topic}/${this.options.group}: ${paused ? 'paused' : 'resumed'}`);
    if (paused) {
      this.leaveWaiting();
    } else {
      this.probeNext = true;
      this.services.due.retryAt(this, Date.now());
      this.pump();
    }
  }

  /** Claims the group's retries that are due (scheduled by any consumer of the group). */
  async claimDueRetries(): Promise<void> {
    if (this.stopping || this.paused) return; // a resume claims again
    const room = this.capacity - this.owned.size;
    if (room <= 0) {
      this.services.due.retryAt(this, Date.now() + FULL_RETRY_RECHECK_MS);
      return;
    }
    try {
      const { claimed, recheckAt } = await this.track(this.claimer.dueRetries(room));
      if (claimed.entries.length) this.accept(claimed.entries, claimed.attempts, claimed.spans);
      if (recheckAt !== undefined) this.services.due.retryAt(this, recheckAt);
    } catch (err) {
      if (this.stopping) return;
      this.logger.warn?.(`${this.options.topic}/${this.options.group}: retry check failed: ${(err as Error).message}`);
      this.services.due.retryAt(this, Date.now() + 1_000);
    }
  }

  /**
   * One maintenance visit: takes over entries of crashed consumers idle ≥ `claimIdleMs` (not those
   * waiting for a retry), and retries a crashed consumer had scheduled.
   */
  async sweep(): Promise<void> {
    if (this.stopping || this.paused) return;
    const room = this.capacity - this.owned.size;
    if (room <= 0) return;
    const claimed = await this.track(this.claimer.takeovers(room));
    if (claimed.entries.length) this.accept(claimed.entries, claimed.attempts, claimed.spans);
    await this.claimDueRetries();
  }

  /** Ids of owned entries whose lease was last renewed at or before `since`; marks them renewed at `now`. */
  takeLeasesToExtend(since: number, now: number): string[] {
    return this.owned.takeLeasesToExtend(since, now);
  }

  /**
   * Stops reading and claiming, then lets what it owns finish and leaves the group if it owns
   * nothing pending (`drainAndLeave`, until `deadline`, `timeoutMs` from now: the server's one
   * shutdown timer).
   */
  async stop(deadline: Promise<void>, timeoutMs: number): Promise<void> {
    this.stopping = true;
    const directRead = this.waiting ? this.services.wakeUp.unwatch(this) : undefined;
    this.waiting = false;
    this.services.due.forget(this);
    const { options, io, owned, settler, scripts, logger } = this;
    await drainAndLeave({ options, stream: this.keys.stream, directRead, io, owned, settler, scripts, logger }, deadline, timeoutMs);
  }

  /** Reads when there is room: one read at a time, the next one as soon as half a batch fits. */
  private pump(): void {
    if (this.reading || this.waiting || this.stopping || this.paused) return;
    const room = this.capacity - this.owned.size;
    if (room <= 0 || (this.queue.length > 0 && room < this.readWindow / 2)) return;
    this.reading = true;
    void this.track(this.read(this.room));
  }

  private async read(count: number): Promise<void> {
    const { group, consumer } = this.options;
    const stream = this.keys.stream;
    const probe = this.probeNext;
    try {
      // Same connection, sent first: the tail is read before the group read, so when the group read
      // comes back short the group has read everything up to that tail.
      const tail = probe ? this.command.xrevrange(stream, '+', '-', 'COUNT', 1) : undefined;
      tail?.catch(() => undefined);
      const reply = (await this.command.xreadgroup(
        'GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>',
      )) as [string, StreamEntry[]][] | null;
      const tailId = tail ? ((await tail) as StreamEntry[])[0]?.[0] : undefined;
      this.failures = 0;
      this.lastReadAt = Date.now();
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length) this.caughtUpTo = laterEntryId(this.caughtUpTo, entries[entries.length - 1][0]);
      if (entries.length < count && tailId) this.caughtUpTo = laterEntryId(this.caughtUpTo, tailId);
      // Probes are for reads after a wake-up only: when other consumers of the group took the new
      // entries, the tail moves `caughtUpTo` past them, so they do not wake this one again.
      this.probeNext = false;
      this.reading = false;
      this.adaptReadWindow(entries.length, count);
      if (entries.length) this.accept(entries, undefined);
      if (entries.length) this.pump();
      else this.wait();
    } catch (err) {
      if (this.stopping) {
        this.reading = false;
        return;
      }
      await this.readFailed(err);
      this.reading = false;
      this.pump();
    }
  }

  private async readFailed(err: unknown): Promise<void> {
    this.failures++;
    this.probeNext = true;
    const message = (err as Error).message ?? String(err);
    if (message.includes('NOGROUP')) {
      // The stream or the group was deleted (e.g. deleteTopic). Recreate the group where this
      // consumer stopped reading; a stream recreated by the producer's next XADD has no group, and
      // then the group starts at '0', so that entry is delivered too.
      await this.ensureGroup(this.caughtUpTo).catch(() => undefined);
      return;
    }
    if (this.failures === 1 || this.failures % 50 === 0) {
      this.logger.warn?.(`${this.options.topic}/${this.options.group}: read failed (${this.failures}x), retrying: ${message}`);
    }
    await sleep(retryDelay(this.failures));
  }

  private async ensureGroup(start: string): Promise<void> {
    try {
      await this.scripts.ensureGroup(this.keys.stream, this.options.group, start);
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  private accept(entries: StreamEntry[], attempts: Map<string, number> | undefined, spans?: Map<string, string>): void {
    const now = Date.now();
    // Claimed entries (retries, takeovers) may be ones this consumer still owns; new reads never are.
    const owned = attempts ? this.owned.entryIds() : undefined;
    for (const [entryId, fields] of entries) {
      if (owned?.has(entryId)) continue; // claimed again while read ahead: one delivery only
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
        startedAt: now,
        leasedAt: now,
        slot: -1,
      };
      const previousAttempt = spans?.get(entryId);
      if (previousAttempt) delivery.previousAttempt = previousAttempt;
      this.owned.add(delivery);
      owned?.add(entryId);
      this.queue.push({ envelope, delivery });
    }
    this.dispatch();
  }

  /** Starts queued deliveries while a handler slot is free. */
  private dispatch(): void {
    if (this.running >= this.options.concurrency || this.queue.length === 0) return;
    const now = Date.now();
    while (this.running < this.options.concurrency && this.queue.length) {
      const { envelope, delivery } = this.queue.shift()!;
      this.running++;
      delivery.startedAt = now;
      this.invoke(envelope, delivery).then(
        () => this.finish(delivery, undefined, true),
        err => this.finish(delivery, err, false),
      );
    }
  }

  private finish(delivery: Delivery, error: unknown, ok: boolean): void {
    this.running--;
    this.owned.remove(delivery);
    if (ok) {
      this.settler.succeeded(delivery);
    } else {
      void this.settler.failed(delivery, error).then(dueAt => {
        if (dueAt !== undefined && !this.stopping) this.services.due.retryAt(this, dueAt);
      });
    }
    this.dispatch();
    this.pump();
  }

  /** Grows the read window when a full read finds every handler slot free, shrinks it when entries wait. */
  private adaptReadWindow(read: number, asked: number): void {
    const { batchSize } = this.options;
    if (read === asked && this.queue.length === 0 && this.running < this.options.concurrency) {
      this.readWindow = Math.min(this.readWindow * 2, MAX_READ_WINDOW_BATCHES * batchSize);
    } else if (this.queue.length >= batchSize && this.readWindow > batchSize) {
      this.readWindow = Math.max(batchSize, this.readWindow / 2);
    }
  }

  /** The stream is drained: register with the wake-up reader. */
  private wait(): void {
    if (this.stopping || this.paused || this.waiting) return;
    this.waiting = true;
    this.services.wakeUp.watch(this);
  }

  private leaveWaiting(): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.services.wakeUp.unwatch(this);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.io.add(promise);
    void promise.finally(() => this.io.delete(promise)).catch(() => undefined);
    return promise;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms).unref());
}
