import type { LoggerService } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { retryDelay, type RedisConnection } from '../connection/create-redis-connection.js';
import type { StreamEntry } from '../scripts/redis-streams-scripts.js';
import { compareEntryIds } from './entry-id.js';
import type { GroupConsumer } from './group-consumer.js';

/**
 * Least time between two re-arms of the wake-up XREAD: 10 ms, growing with the streams it covers
 * (1 ms per 20 streams, at most 50 ms), since each re-arm re-sends and re-registers all of them.
 */
function rearmSpacingMs(streams: number): number {
  return Math.min(50, Math.max(10, streams / 20));
}

/**
 * One blocking connection that waits for work on behalf of every drained consumer: a single
 * `XREAD COUNT 1 BLOCK blockMs STREAMS s1 … sN id1 … idN` over the distinct streams of the waiting
 * consumers (each stream once, however many groups wait on it; id = the lowest `caughtUpTo` of
 * them). When a stream gets an entry after a consumer's `caughtUpTo`, that consumer is woken and
 * reads with non-blocking XREADGROUPs. Idle, it costs one command per `blockMs`, whatever the
 * number of topics and groups.
 *
 * A consumer that starts waiting on a stream the pending XREAD does not cover (or covers from a
 * later id) re-arms it: `CLIENT UNBLOCK` from the command connection, repeated until the XREAD was
 * really blocked (an UNBLOCK that overtakes the XREAD is a no-op). On a Redis Cluster a multi-key
 * XREAD must stay in one slot and there is no UNBLOCK across the cluster client: the server then
 * gives every topic a reader of its own (see `ServerRedisStreams`).
 */
export class WakeUpReader {
  private readonly waiting = new Map<string, Set<GroupConsumer>>();
  /** Stream → id of the XREAD in flight; `undefined` while none is. */
  private armed: Map<string, string> | undefined;
  private armSeq = 0;
  private clientId: number | undefined;
  private clientIdStale = true;
  private changed: (() => void) | undefined;
  private unblocking = false;
  /** The blocking XREADGROUP in flight for the only waiting consumer, if that is what is in flight. */
  private direct: { consumer: GroupConsumer; done: Promise<void> } | undefined;
  private lastRearmAt = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Epoch ms of the last XREAD answer (or of start): the heartbeat of every waiting consumer. */
  lastAnswerAt = Date.now();

  constructor(
    private readonly reader: RedisConnection,
    private readonly command: RedisConnection,
    private readonly blockMs: number,
    private readonly logger: LoggerService,
  ) {
    reader.on('ready', () => (this.clientIdStale = true));
  }

  /** The blocking connection (for `unwrap()` and event listeners). */
  get connection(): RedisConnection {
    return this.reader;
  }

  /** How many consumers wait on it. */
  get size(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes `consumer` once its stream has an entry after its `caughtUpTo`. */
  watch(consumer: GroupConsumer): void {
    const stream = consumer.keys.stream;
    let set = this.waiting.get(stream);
    if (!set) this.waiting.set(stream, (set = new Set()));
    set.add(consumer);
    if (!this.armed) {
      this.signal();
      return;
    }
    const armedId = this.armed.get(stream);
    if (this.direct || armedId === undefined || compareEntryIds(consumer.caughtUpTo, armedId) < 0) this.rearm();
  }

  /**
   * Stops waking `consumer` (it is paused or stops). An XREAD in flight may still cover its stream:
   * harmless. A blocking read made for it alone is ended; the promise resolves once that read's
   * entries, if any, were handed to it.
   */
  unwatch(consumer: GroupConsumer): Promise<void> {
    const set = this.waiting.get(consumer.keys.stream);
    if (set) {
      set.delete(consumer);
      if (!set.size) this.waiting.delete(consumer.keys.stream);
    }
    if (this.direct?.consumer !== consumer) return Promise.resolve();
    this.rearm();
    return this.direct.done;
  }

  /** Ends the loop; the caller closes the connection (which also ends a blocked XREAD at once). */
  stop(): void {
    this.stopped = true;
    this.signal();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.waiting.size) {
        await new Promise<void>(resolve => (this.changed = resolve));
        this.changed = undefined;
        continue;
      }
      const only = this.onlyWaiting();
      if (only && only.room > 0) {
        // Let the handlers of the batch just handed over run first: the read then takes what
        // arrived meanwhile in one go (fewer, fuller reads and acks under load).
        await new Promise(resolve => setImmediate(resolve));
        if (this.onlyWaiting() !== only || this.stopped) continue;
        failures = (await this.readFor(only)) ? 0 : failures + 1;
        if (failures) await new Promise(resolve => setTimeout(resolve, retryDelay(failures)).unref());
        continue;
      }
      const streams = [...this.waiting.keys()];
      const ids = streams.map(stream => lowestCaughtUpTo(this.waiting.get(stream)!));
      this.armed = new Map(streams.map((stream, i) => [stream, ids[i]]));
      this.armSeq++;
      let reply: [string, StreamEntry[]][] | null;
      try {
        if (this.clientIdStale) await this.refreshClientId();
        reply = (await this.reader.xread('COUNT', 1, 'BLOCK', this.blockMs, 'STREAMS', ...streams, ...ids)) as typeof reply;
        failures = 0;
      } catch (err) {
        this.armed = undefined;
        if (this.stopped) break;
        failures++;
        if (failures === 1 || failures % 50 === 0) {
          this.logger.warn?.(`wake-up read failed (${failures}x), retrying: ${(err as Error).message}`);
        }
        await new Promise(resolve => setTimeout(resolve, retryDelay(failures)).unref());
        continue;
      }
      this.armed = undefined;
      this.lastAnswerAt = Date.now();
      for (const [stream, entries] of reply ?? []) {
        const newest = entries[entries.length - 1]?.[0];
        const set = this.waiting.get(stream);
        if (!newest || !set) continue;
        for (const consumer of [...set]) {
          if (compareEntryIds(consumer.caughtUpTo, newest) >= 0) continue;
          set.delete(consumer);
          consumer.wake();
        }
        if (!set.size) this.waiting.delete(stream);
      }
    }
  }

  /** The consumer, when exactly one waits (e.g. a single hot topic): it is read for directly. */
  private onlyWaiting(): GroupConsumer | undefined {
    if (this.waiting.size !== 1) return undefined;
    const [set] = this.waiting.values();
    if (set.size !== 1) return undefined;
    const [consumer] = set;
    return consumer;
  }

  /**
   * With a single waiting consumer, the wake-up read is its own blocking `XREADGROUP`: new entries
   * reach it in one round trip, as a dedicated read loop would, on the same one connection. Another
   * consumer starting to wait ends it (`CLIENT UNBLOCK`), and the reader goes back to XREAD.
   * Resolves false when the read failed (the consumer then reads, and reports, by itself).
   */
  private async readFor(consumer: GroupConsumer): Promise<boolean> {
    const { group, consumer: name } = consumer.options;
    const stream = consumer.keys.stream;
    const count = consumer.room;
    let finish!: () => void;
    this.direct = { consumer, done: new Promise<void>(resolve => (finish = resolve)) };
    this.armed = new Map([[stream, consumer.caughtUpTo]]);
    this.armSeq++;
    try {
      if (this.clientIdStale) await this.refreshClientId();
      const reply = (await this.reader.xreadgroup(
        'GROUP', group, name, 'COUNT', count, 'BLOCK', this.blockMs, 'STREAMS', stream, '>',
      )) as [string, StreamEntry[]][] | null;
      this.lastAnswerAt = Date.now();
      this.disarm(finish);
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length) {
        this.unwatchQuietly(consumer);
        consumer.delivered(entries, count);
      }
      return true;
    } catch {
      this.disarm(finish);
      if (!this.stopped) {
        this.unwatchQuietly(consumer);
        consumer.wake();
      }
      return this.stopped;
    }
  }

  /** The direct read ended: nothing is armed any more (a consumer that waits again now needs no UNBLOCK). */
  private disarm(finish: () => void): void {
    this.armed = undefined;
    this.direct = undefined;
    finish();
  }

  private unwatchQuietly(consumer: GroupConsumer): void {
    const set = this.waiting.get(consumer.keys.stream);
    set?.delete(consumer);
    if (set && !set.size) this.waiting.delete(consumer.keys.stream);
  }

  private signal(): void {
    const changed = this.changed;
    this.changed = undefined;
    changed?.();
  }

  /**
   * Ends the XREAD in flight so the next one covers the new waiters. Coalesced: at most one re-arm
   * per `rearmSpacingMs` (many topics draining at once, or 1,000 subscribing, re-arm a few times,
   * not once each). Nothing is lost meanwhile: the next XREAD starts from each waiter's `caughtUpTo`.
   */
  private rearm(): void {
    if (this.unblocking || this.reader instanceof Cluster) return; // cluster: the XREAD ends at its block timeout
    this.unblocking = true;
    const wait = this.lastRearmAt + rearmSpacingMs(this.waiting.size) - Date.now();
    const go = () => {
      this.lastRearmAt = Date.now();
      void this.unblock().finally(() => (this.unblocking = false));
    };
    if (wait > 0) setTimeout(go, wait).unref();
    else setImmediate(go);
  }

  private async unblock(): Promise<void> {
    const seq = this.armSeq;
    for (let attempt = 0; attempt < 100 && this.armed && this.armSeq === seq && !this.stopped; attempt++) {
      try {
        if (this.clientId !== undefined && (await this.command.client('UNBLOCK', this.clientId)) === 1) return;
      } catch {
        return;
      }
      // 0 (or no client id yet): the XREAD has not reached Redis yet; try again once it blocks.
      await new Promise(resolve => setTimeout(resolve, Math.min(1 + attempt, 20)).unref());
    }
  }

  private async refreshClientId(): Promise<void> {
    this.clientIdStale = false;
    this.clientId = this.reader instanceof Cluster ? undefined : Number(await this.reader.client('ID'));
  }
}

function lowestCaughtUpTo(consumers: Set<GroupConsumer>): string {
  let lowest: string | undefined;
  for (const consumer of consumers) {
    if (lowest === undefined || compareEntryIds(consumer.caughtUpTo, lowest) < 0) lowest = consumer.caughtUpTo;
  }
  return lowest ?? '0-0';
}
