import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';

/** Per-group counters the admin API reports (XINFO STREAM / GROUPS of Redis 7). */
export interface StreamCounters {
  /** Entries ever added to the stream (`entries-added`). */
  entriesAdded: number;
  /** Per group: entries ever delivered to it (`entries-read`), and the first undelivered entry's age. */
  groups: Map<string, { entriesRead: number | null; oldestUndeliveredAgeMs: number }>;
}

/** Removes the oldest dead letters of one topic, and their refs (one atomic batch). */
const PRUNE_DEAD_LETTERS = `--[[
  KEYS[1] dead-letter stream, KEYS[2] dead-letter refs zset (member "<entry id>|<group>")
  ARGV[1] cutoff ms (letters with an older id go), ARGV[2] batch size
  Output: letters removed
]]
-- An id of only milliseconds as the end means "up to the last entry of that millisecond".
local letters = redis.call('XRANGE', KEYS[1], '-', tostring(tonumber(ARGV[1]) - 1), 'COUNT', ARGV[2])
for _, letter in ipairs(letters) do
  local f, entryId, group = letter[2], nil, nil
  for j = 1, #f, 2 do
    if f[j] == 'dlq.entryId' then entryId = f[j + 1] elseif f[j] == 'dlq.group' then group = f[j + 1] end
  end
  if entryId and group then redis.call('ZREM', KEYS[2], entryId .. '|' .. group) end
  redis.call('XDEL', KEYS[1], letter[1])
end
return #letters
`;

/**
 * The few Redis operations the transport's admin has no method for: registering and removing an
 * external consumer group, the Redis 7 counters behind rates and lag age, and the per-subscription
 * delivered / filtered / failed counters. Keys follow the transport's documented key map
 * (README "Redis key map"): the stream of topic `t` is `{prefix}:{t}`, a group's retry set
 * `{prefix}:{t}:retry:<group>`, its failure hash `{prefix}:{t}:failures:<group>`.
 */
@Injectable()
export class SampleRedis implements OnApplicationShutdown {
  readonly redis: Redis;

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {
    // commandTimeout: during an outage a request answers 503 after REDIS_TIMEOUT_MS (rate limits and
    // backlog checks run on this connection before every publish) instead of waiting for reconnects.
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, commandTimeout: config.redisTimeoutMs, connectionName: 'mq-sample-admin' });
    // Surfaced by the failing request (503); an outage must not crash the process.
    this.redis.on('error', () => undefined);
  }

  /** The stream key of a topic. */
  streamKey(topic: string): string {
    return `${this.config.prefix}:{${topic}}`;
  }

  /** The dead-letter stream key of a topic (stored on subscriptions, as the transport's recorder does). */
  deadLetterKey(topic: string): string {
    return `${this.streamKey(topic)}:dlq`;
  }

  /** Creates a consumer group (and the stream) unless it exists: an external consumer's backlog starts here. */
  async createGroup(topic: string, group: string, startFrom: 'latest' | 'earliest'): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.streamKey(topic), group, startFrom === 'earliest' ? '0' : '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /**
   * Removes a consumer group and its retry bookkeeping. A forgotten group would hold back
   * trimming forever (the transport never trims what a group has not read).
   */
  async destroyGroup(topic: string, group: string): Promise<void> {
    const stream = this.streamKey(topic);
    // All keys share the topic's hash tag: one MULTI also works on a cluster.
    await this.redis
      .multi()
      .del(`${stream}:retry:${group}`, `${stream}:failures:${group}`)
      .srem(`${stream}:paused`, group)
      .exec();
    try {
      await this.redis.xgroup('DESTROY', stream, group);
    } catch {
      // no stream: nothing to destroy
    }
  }

  /** Redis 7 counters of a topic: entries added, and per group entries read and lag age. */
  async counters(topic: string, now = Date.now()): Promise<StreamCounters | undefined> {
    const stream = this.streamKey(topic);
    let info: unknown[];
    let groups: unknown[][];
    try {
      [info, groups] = (await Promise.all([this.redis.xinfo('STREAM', stream), this.redis.xinfo('GROUPS', stream)])) as [unknown[], unknown[][]];
    } catch {
      return undefined; // no stream yet
    }
    const result: StreamCounters = { entriesAdded: Number(pairs(info).get('entries-added') ?? 0), groups: new Map() };
    const pipeline = this.redis.pipeline();
    const names: string[] = [];
    const read: (number | null)[] = [];
    for (const raw of groups) {
      const g = pairs(raw);
      names.push(String(g.get('name')));
      const entriesRead = g.get('entries-read');
      read.push(entriesRead === null || entriesRead === undefined ? null : Number(entriesRead));
      // The first entry after the last delivered one is the oldest the group has not seen.
      pipeline.xrange(stream, `(${String(g.get('last-delivered-id'))}`, '+', 'COUNT', 1);
    }
    const replies = ((await pipeline.exec()) ?? []) as [Error | null, [string, string[]][]][];
    names.forEach((name, i) => {
      const first = replies[i]?.[1]?.[0]?.[0];
      const ms = first ? Number(first.slice(0, first.indexOf('-'))) : now;
      result.groups.set(name, { entriesRead: read[i], oldestUndeliveredAgeMs: Math.max(0, now - ms) });
    });
    return result;
  }

  /** The decoded `data` of one stream entry, or undefined once the entry is trimmed. */
  async entryData(topic: string, entryId: string): Promise<unknown> {
    const [entry] = (await this.redis.xrange(this.streamKey(topic), entryId, entryId)) as [string, string[]][];
    if (!entry) return undefined;
    const fields = entry[1];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      // `JSON.parse` keeps keys such as `__proto__` as own properties: the payload round-trips.
      if (fields[i] === 'data') return JSON.parse(fields[i + 1]);
    }
    return undefined;
  }

  /**
   * Removes a queue's dead letters that failed before `before` (epoch ms; dead-letter entry ids
   * are their failure time), with their refs: a ref keeps the original entry from being trimmed,
   * so a pruned letter must not leave its ref behind. Resolves with the letters removed.
   */
  async pruneDeadLetters(topic: string, before: number): Promise<number> {
    const stream = this.streamKey(topic);
    let removed = 0;
    for (;;) {
      const count = Number(await this.redis.eval(PRUNE_DEAD_LETTERS, 2, `${stream}:dlq`, `${stream}:dlq-refs`, before, 500));
      removed += count;
      if (count < 500) return removed;
    }
  }

  /**
   * What a queue holds for its consumers, not its retained history: for each consumer group the
   * entries it has not acked (pending) plus those it has not read yet (lag), the largest of the
   * groups, plus the delayed messages not yet due. Without any group every entry is still unread.
   * When Redis cannot tell a group's lag (deleted entries in the way), the stream length stands
   * in: never less than the real backlog.
   */
  async backlog(topic: string): Promise<number> {
    const stream = this.streamKey(topic);
    const replies = (await this.redis
      .pipeline()
      .xlen(stream)
      .zcard(`${stream}:delayed`)
      .xinfo('GROUPS', stream)
      .exec()) ?? [];
    const [[lenErr, length], [delayedErr, delayed], [, groups]] = replies as [Error | null, unknown][];
    if (lenErr) throw lenErr;
    if (delayedErr) throw delayedErr;
    const len = Number(length);
    // XINFO GROUPS fails on a stream that does not exist yet: no groups then.
    const list = Array.isArray(groups) ? (groups as unknown[][]).map(pairs) : [];
    const unread = list.length
      ? Math.max(...list.map(g => {
          const lag = g.get('lag');
          return Number(g.get('pending') ?? 0) + (lag === null || lag === undefined ? len : Number(lag));
        }))
      : len;
    return unread + Number(delayed);
  }

  /** Adds to a subscription's counters (`delivered`, `filtered`, `failed`), shared by every replica. */
  async count(subscriptionId: string, field: 'delivered' | 'filtered' | 'failed'): Promise<void> {
    await this.redis.hincrby(this.statsKey(subscriptionId), field, 1);
  }

  /** A subscription's counters. */
  async stats(subscriptionIds: string[]): Promise<Map<string, { delivered: number; filtered: number; failed: number }>> {
    const result = new Map<string, { delivered: number; filtered: number; failed: number }>();
    if (!subscriptionIds.length) return result;
    const pipeline = this.redis.pipeline();
    for (const id of subscriptionIds) pipeline.hgetall(this.statsKey(id));
    const replies = ((await pipeline.exec()) ?? []) as [Error | null, Record<string, string>][];
    subscriptionIds.forEach((id, i) => {
      const h = replies[i]?.[1] ?? {};
      result.set(id, { delivered: Number(h.delivered ?? 0), filtered: Number(h.filtered ?? 0), failed: Number(h.failed ?? 0) });
    });
    return result;
  }

  /** Forgets a subscription's counters. */
  async deleteStats(subscriptionId: string): Promise<void> {
    await this.redis.del(this.statsKey(subscriptionId));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private statsKey(subscriptionId: string): string {
    // Outside the `{prefix}:{<topic>}` namespace, so the admin's topic scan never sees it.
    return `${this.config.prefix}:sample:subscription-stats:${subscriptionId}`;
  }
}

function pairs(raw: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < raw.length; i += 2) map.set(String(raw[i]), raw[i + 1]);
  return map;
}
