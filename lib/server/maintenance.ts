import type { LoggerService } from '@nestjs/common';
import { Cluster } from 'ioredis';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { DELAYED_REINDEX_MS, IDLE_CONSUMER_REMOVAL_FACTOR, MAINTENANCE_TICK_MS, TRIM_SPACING_MS } from '../constants.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import type { GroupConsumer } from './group-consumer.js';

/** Resolved housekeeping options of a server. */
export interface MaintenanceOptions {
  retentionMs: number;
  housekeepingIntervalMs: number;
}

/** Pairs visited per tick during a fast takeover round (after a peer died): 40 per second at a 250 ms tick. */
const FAST_VISITS_PER_TICK = 10;

/** Keys looked at per SCAN call while re-indexing delayed sets. */
const REINDEX_SCAN_COUNT = 1_000;

/**
 * A server's periodic work, spread over time so that it costs the same for 1 or 1,000 (topic,
 * group) pairs. Each `run()` (one maintenance tick):
 * - extends the leases of this server's slow entries (running or read ahead) in one call per pair
 *   that has any, so a slow live handler is never taken over;
 * - visits at most one pair per `MAINTENANCE_TICK_MS`, round robin, among those not visited for
 *   `claimIdleMs / 2`: takes over
 *   entries of crashed consumers and retries they had scheduled;
 * - trims at most one topic per `TRIM_SPACING_MS`, each at most once per `housekeepingIntervalMs`,
 *   and removes the consumers of its groups that own nothing and have been idle for
 *   `IDLE_CONSUMER_REMOVAL_FACTOR × claimIdleMs` (crashed processes);
 * - on start and every `DELAYED_REINDEX_MS`, re-enters every delayed set of the prefix in the due
 *   index, one SCAN page per tick (a producer that died between its write and the index update);
 * - once a peer server is found dead (`PeerWatch`), one fast round over every pair
 *   (`FAST_VISITS_PER_TICK` per tick) as soon as its entries can be idle for `claimIdleMs`, so a
 *   crash is recovered in seconds even with 1,000 pairs.
 */
export class Maintenance {
  private readonly visitedAt = new Map<GroupConsumer, number>();
  private readonly trimmedAt = new Map<string, number>();
  private sweepCursor = 0;
  private lastSweepAt = 0;
  /** When a fast takeover round starts (a peer died), and how many visits it has left. */
  private fastRoundAt = Infinity;
  private fastVisitsLeft = 0;
  private trimCursor = 0;
  private lastTrimAt = 0;
  private reindexCursor: string | undefined = '0';
  private reindexNodes: RedisConnection[] = [];
  private nextReindexAt = 0;

  constructor(
    private readonly command: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    private readonly keys: StreamKeys,
    private readonly options: MaintenanceOptions,
    private readonly logger: LoggerService,
  ) {}

  /** A topic starts being trimmed one interval after it was first consumed. */
  added(consumer: GroupConsumer, now = Date.now()): void {
    this.visitedAt.set(consumer, now);
    if (!this.trimmedAt.has(consumer.options.topic)) this.trimmedAt.set(consumer.options.topic, now);
  }

  removed(consumer: GroupConsumer, consumers: GroupConsumer[]): void {
    this.visitedAt.delete(consumer);
    if (!consumers.some(c => c.options.topic === consumer.options.topic)) this.trimmedAt.delete(consumer.options.topic);
  }

  /** A peer stopped beating at `lastBeatAt`: sweep every pair once its entries can be idle for `claimIdleMs`. */
  peerDied(lastBeatAt: number, consumers: GroupConsumer[]): void {
    const claimIdleMs = Math.max(0, ...consumers.map(c => c.options.claimIdleMs));
    this.fastRoundAt = Math.min(this.fastRoundAt, lastBeatAt + claimIdleMs + MAINTENANCE_TICK_MS);
  }

  /** One tick over the server's running consumers. */
  async run(consumers: GroupConsumer[], now = Date.now()): Promise<void> {
    await Promise.all([this.extendLeases(consumers, now), this.sweepOne(consumers, now), this.trimOne(consumers, now), this.reindexStep(now)]);
  }

  private async extendLeases(consumers: GroupConsumer[], now: number): Promise<void> {
    const calls: Promise<unknown>[] = [];
    for (const c of consumers) {
      const ids = c.takeLeasesToExtend(now - c.options.claimIdleMs / 3, now);
      if (!ids.length) continue;
      calls.push(
        this.scripts.extendLease(c.keys.stream, c.options.group, c.options.consumer, ids).catch(err =>
          this.logger.warn?.(`${c.options.topic}/${c.options.group}: lease extension failed: ${(err as Error).message}`),
        ),
      );
    }
    await Promise.all(calls);
  }

  private async sweepOne(consumers: GroupConsumer[], now: number): Promise<void> {
    if (now >= this.fastRoundAt) {
      this.fastRoundAt = Infinity;
      this.fastVisitsLeft = consumers.length;
    }
    if (this.fastVisitsLeft > 0) return this.sweepFast(consumers, now);
    if (now - this.lastSweepAt < MAINTENANCE_TICK_MS) return;
    for (let i = 0; i < consumers.length; i++) {
      const c = consumers[(this.sweepCursor + i) % consumers.length];
      if (now - (this.visitedAt.get(c) ?? 0) < c.options.claimIdleMs / 2) continue;
      this.sweepCursor = (this.sweepCursor + i + 1) % consumers.length;
      this.visitedAt.set(c, now);
      this.lastSweepAt = now;
      await c.sweep().catch(err => this.logger.warn?.(`${c.options.topic}/${c.options.group}: takeover sweep failed: ${(err as Error).message}`));
      return;
    }
  }

  private async sweepFast(consumers: GroupConsumer[], now: number): Promise<void> {
    const visits: Promise<void>[] = [];
    for (let i = 0; i < FAST_VISITS_PER_TICK && this.fastVisitsLeft > 0 && consumers.length; i++, this.fastVisitsLeft--) {
      const c = consumers[this.sweepCursor % consumers.length];
      this.sweepCursor = (this.sweepCursor + 1) % consumers.length;
      this.visitedAt.set(c, now);
      visits.push(c.sweep().catch(err => this.logger.warn?.(`${c.options.topic}/${c.options.group}: takeover sweep failed: ${(err as Error).message}`)));
    }
    this.lastSweepAt = now;
    await Promise.all(visits);
  }

  private async trimOne(consumers: GroupConsumer[], now: number): Promise<void> {
    if (now - this.lastTrimAt < TRIM_SPACING_MS) return;
    const topics = [...this.trimmedAt.keys()];
    for (let i = 0; i < topics.length; i++) {
      const topic = topics[(this.trimCursor + i) % topics.length];
      if (now - this.trimmedAt.get(topic)! < this.options.housekeepingIntervalMs) continue;
      this.trimCursor = (this.trimCursor + i + 1) % topics.length;
      this.trimmedAt.set(topic, now);
      this.lastTrimAt = now;
      await this.housekeep(topic, consumers).catch(err => this.logger.warn?.(`${topic}: housekeeping failed: ${(err as Error).message}`));
      return;
    }
  }

  /** Trims acked entries older than the retention and removes long-idle consumers owning nothing. */
  private async housekeep(topic: string, consumers: GroupConsumer[]): Promise<void> {
    const stream = this.keys.stream(topic);
    await this.scripts.trimAcked({ stream, deadLetterRefs: this.keys.deadLetterRefs(topic) }, Date.now() - this.options.retentionMs);
    const claimIdleMs = Math.min(...consumers.filter(c => c.options.topic === topic).map(c => c.options.claimIdleMs));
    if (Number.isFinite(claimIdleMs)) await this.scripts.removeIdleConsumers(stream, IDLE_CONSUMER_REMOVAL_FACTOR * claimIdleMs);
  }

  private async reindexStep(now: number): Promise<void> {
    if (this.reindexCursor === undefined) {
      if (now < this.nextReindexAt) return;
      this.reindexCursor = '0';
    }
    if (this.reindexCursor === '0' && !this.reindexNodes.length) {
      this.reindexNodes = this.command instanceof Cluster ? this.command.nodes('master') : [this.command];
    }
    const node = this.reindexNodes[0];
    if (!node) return;
    try {
      const [next, keys] = await node.scan(this.reindexCursor, 'MATCH', `${this.keys.pattern()}:delayed`, 'COUNT', REINDEX_SCAN_COUNT);
      await Promise.all(keys.map(key => this.reindex(key)));
      if (next === '0') {
        this.reindexNodes.shift();
        if (!this.reindexNodes.length) {
          this.reindexCursor = undefined;
          this.nextReindexAt = now + DELAYED_REINDEX_MS;
          return;
        }
      }
      this.reindexCursor = next;
    } catch (err) {
      this.logger.warn?.(`re-indexing delayed messages failed: ${(err as Error).message}`);
    }
  }

  private async reindex(delayedKey: string): Promise<void> {
    const topic = this.keys.topicOf(delayedKey.slice(0, -':delayed'.length));
    if (topic === undefined) return;
    const head = (await this.command.zrange(delayedKey, '0', '0', 'WITHSCORES')) as string[];
    if (head.length === 2) await this.command.zadd(this.keys.delayedDue(), 'LT', head[1], topic);
  }
}
