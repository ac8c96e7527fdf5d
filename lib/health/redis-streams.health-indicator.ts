import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsMonitor } from '../module/redis-streams-monitor.js';
import { REDIS_STREAMS_HEALTH_OPTIONS } from '../module/redis-streams.tokens.js';
import { REDIS_STREAMS_OUTBOX_STATS, type OutboxStatsSource } from '../persistence/outbox/outbox-stats.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import type { RedisStreamsHealthOptions } from './interfaces/redis-streams-health-options.interface.js';

const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;

/**
 * Terminus health indicator of the transport, provided by `withTerminusHealth()`. Down when Redis
 * does not answer a PING within `timeoutMs`, when a read loop of the module's `ServerRedisStreams`
 * is not alive (no XREADGROUP answer within 3 × blockMs + 10 s while it has a free slot), or when
 * an optional threshold (oldest pending age, dead-letter count, outbox age) is crossed. With an
 * outbox (`withTypeOrmOutbox()`) the report shows its backlog.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.mq.isHealthy('mq')]); }
 * ```
 * @publicApi
 */
@Injectable()
export class RedisStreamsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(RedisStreamsMonitor) private readonly monitor: RedisStreamsMonitor,
    @Inject(StreamKeys) private readonly keys: StreamKeys,
    @Inject(REDIS_STREAMS_HEALTH_OPTIONS) private readonly defaults: RedisStreamsHealthOptions,
    @Optional() @Inject(ServerRedisStreams) private readonly server?: ServerRedisStreams | null,
    @Optional() @Inject(REDIS_STREAMS_OUTBOX_STATS) private readonly outbox?: OutboxStatsSource | null,
  ) {}

  /**
   * Checks Redis, the read loops and the thresholds.
   * @param key - key of the result in the health report. @defaultValue 'redis_streams'
   * @param options - overrides of the `withTerminusHealth()` options for this check.
   */
  async isHealthy<const Key extends string = 'redis_streams'>(
    key: Key = 'redis_streams' as Key,
    options: RedisStreamsHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const o = { ...this.defaults, ...options };
    const timeoutMs = o.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    const session = this.health.check(key);
    let redis: RedisConnection;
    try {
      redis = await this.monitor.ready(timeoutMs);
      await withTimeout(redis.ping(), timeoutMs, 'PING');
    } catch (err) {
      return session.down({ redis: 'down', message: `Redis unreachable: ${(err as Error).message}` });
    }

    const now = Date.now();
    const states = this.server?.getConsumerStates(now) ?? [];
    const problems: string[] = [];
    const notAlive = states.filter(s => !s.alive);
    if (notAlive.length) problems.push(`read loop not alive: ${notAlive.map(s => `${s.topic}/${s.group}`).join(', ')}`);
    const data: Record<string, unknown> = {
      redis: 'up',
      consumers: states.map(s => ({ topic: s.topic, group: s.group, alive: s.alive, paused: s.paused, lastReadAgeMs: now - s.lastReadAt })),
    };

    if (o.maxOldestPendingAgeMs !== undefined || o.maxDeadLetters !== undefined) {
      try {
        const pairs = states.map(s => ({ topic: s.topic, group: s.group }));
        const topics = [...new Set([...states.map(s => s.topic), ...(o.topics ?? [])])];
        problems.push(...(await this.checkThresholds(redis, topics, pairs, o, now, timeoutMs, data)));
      } catch (err) {
        problems.push(`threshold check failed: ${(err as Error).message}`);
      }
    }
    if (this.outbox) problems.push(...(await this.checkOutbox(this.outbox, o, timeoutMs, data)));
    return problems.length ? session.down({ ...data, message: problems.join('; ') }) : session.up(data);
  }

  /** The outbox's backlog, shown always; a problem only past `maxOutboxAgeMs`. */
  private async checkOutbox(
    outbox: OutboxStatsSource,
    o: RedisStreamsHealthOptions,
    timeoutMs: number,
    data: Record<string, unknown>,
  ): Promise<string[]> {
    try {
      const stats = await withTimeout(outbox.getStats(), timeoutMs, 'outbox stats');
      data.outbox = { pending: stats.pending, oldestPendingAgeMs: stats.oldestPendingAgeMs, relaying: stats.relaying };
      const max = o.maxOutboxAgeMs;
      return max !== undefined && stats.oldestPendingAgeMs > max
        ? [`outbox: oldest unpublished message is ${stats.oldestPendingAgeMs} ms old (max ${max})`]
        : [];
    } catch (err) {
      data.outbox = { error: (err as Error).message };
      return o.maxOutboxAgeMs !== undefined ? [`outbox check failed: ${(err as Error).message}`] : [];
    }
  }

  private async checkThresholds(
    redis: RedisConnection,
    topics: string[],
    consumed: { topic: string; group: string }[],
    o: RedisStreamsHealthOptions,
    now: number,
    timeoutMs: number,
    data: Record<string, unknown>,
  ): Promise<string[]> {
    const problems: string[] = [];
    if (o.maxDeadLetters !== undefined) {
      const counts = await withTimeout(
        Promise.all(topics.map(async topic => ({ topic, count: await redis.xlen(this.keys.deadLetter(topic)) }))),
        timeoutMs,
        'XLEN',
      );
      data.deadLetters = Object.fromEntries(counts.map(c => [c.topic, c.count]));
      for (const { topic, count } of counts) {
        if (count > o.maxDeadLetters) problems.push(`${topic}: ${count} dead letters (max ${o.maxDeadLetters})`);
      }
    }
    if (o.maxOldestPendingAgeMs !== undefined) {
      const max = o.maxOldestPendingAgeMs;
      const ages = await withTimeout(
        Promise.all(
          consumed.map(async ({ topic, group }) => {
            const oldest = (await redis.xpending(this.keys.stream(topic), group, '-', '+', 1)) as [string, ...unknown[]][];
            const id = oldest[0]?.[0];
            return { topic, group, ageMs: id ? Math.max(0, now - Number(id.slice(0, id.indexOf('-')))) : 0 };
          }),
        ),
        timeoutMs,
        'XPENDING',
      );
      data.oldestPendingAgeMs = Object.fromEntries(ages.map(a => [`${a.topic}/${a.group}`, a.ageMs]));
      for (const a of ages) {
        if (a.ageMs > max) problems.push(`${a.topic}/${a.group}: oldest pending message is ${a.ageMs} ms old (max ${max})`);
      }
    }
    return problems;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
