import { Cluster } from 'ioredis';
import { fieldsToObject } from '../codec/envelope.codec.js';
import {
  closeConnection,
  createRedisConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PREFIX, DEFAULT_RETENTION_MS } from '../constants.js';
import { RedisUnavailableError } from '../errors/redis-unavailable.error.js';
import type { RedisStreamsAdminOptions } from '../interfaces/redis-streams-admin-options.interface.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsScripts, type StreamEntry } from '../scripts/redis-streams-scripts.js';
import type {
  DeadLetter,
  ListDeadLettersOptions,
  ReplayDeadLettersOptions,
  TopicGroupInfo,
  TopicInfo,
} from './admin.types.js';
import { PayloadPipeline } from '../payload/payload-pipeline.js';
import { decodeDeadLetter } from './dead-letter.codec.js';

/** Dead letters handled per script call / page, so one replay never blocks Redis for long. */
const REPLAY_BATCH = 100;

/** Owner of replayed entries in a group without any consumer (see replayDeadLetters-5). */
const REPLAY_PLACEHOLDER_CONSUMER = '__replay__';

/**
 * Operations on topics, groups and dead letters: what the sample's admin API uses, usable from any
 * service. State lives in Redis, so every server instance sees it.
 * @publicApi
 */
export class RedisStreamsAdmin {
  private readonly keys: StreamKeys;
  /** Decodes encoded dead-letter payloads (`options.payload`). */
  private readonly payload: PayloadPipeline | undefined;
  private redis: RedisConnection | undefined;
  private scripts: RedisStreamsScripts | undefined;
  private closed = false;

  constructor(private readonly options: RedisStreamsAdminOptions = {}) {
    this.keys = new StreamKeys(options.prefix ?? DEFAULT_PREFIX);
    this.payload = options.payload && new PayloadPipeline(options.payload);
  }

  /** Every topic with a stream under this prefix, with its state. */
  async listTopics(): Promise<TopicInfo[]> {
    const redis = await this.connection();
    const topics = new Set<string>();
    for (const key of await scanKeys(redis, this.keys.pattern(), 'stream')) {
      const topic = this.keys.topicOf(key);
      if (topic !== undefined) topics.add(topic);
    }
    const infos = await Promise.all([...topics].sort().map(topic => this.getTopic(topic)));
    return infos.filter((info): info is TopicInfo => info !== undefined);
  }

  /** A topic's length, groups (consumers, pending, lag, last delivered id, paused), delayed and DLQ counts. */
  async getTopic(topic: string): Promise<TopicInfo | undefined> {
    const redis = await this.connection();
    const stream = this.keys.stream(topic);
    const [[, length], [groupsErr, groups], [, delayed], [, deadLetters], [, paused]] = (await redis
      .pipeline()
      .xlen(stream)
      .xinfo('GROUPS', stream)
      .zcard(this.keys.delayed(topic))
      .xlen(this.keys.deadLetter(topic))
      .smembers(this.keys.paused(topic))
      .exec()) as [Error | null, unknown][];
    if (groupsErr && !(length as number) && !(delayed as number) && !(deadLetters as number)) return undefined;
    const pausedGroups = new Set(paused as string[]);
    return {
      topic,
      length: length as number,
      groups: groupsErr ? [] : (groups as unknown[][]).map(g => toGroupInfo(g, pausedGroups)),
      delayed: delayed as number,
      deadLetters: deadLetters as number,
    };
  }

  /** Dead letters of a topic, oldest first. */
  async listDeadLetters(topic: string, options: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
    const redis = await this.connection();
    const entries = (await redis.xrange(
      this.keys.deadLetter(topic), options.start ?? '-', '+', 'COUNT', options.count ?? 50,
    )) as StreamEntry[];
    return entries.map(([id, fields]) => decodeDeadLetter(id, fields, this.payload));
  }

  /**
   * Sends dead letters back to the group that failed them, and only to it, as a fresh attempt 1;
   * removes them from the dead-letter stream. No `ids`: all (of `group`, if given). Resolves with
   * how many were replayed (dead letters whose original entry was purged are left in place).
   *
   * Replayed entries wait in the group's PEL under its most recently active consumer until one
   * claims them, so no phantom consumer is added to the group. Only a group with no consumer at
   * all gets a placeholder owner; it is deleted as soon as it owns nothing (by the next replay,
   * or by the servers' housekeeping).
   */
  async replayDeadLetters(topic: string, options: ReplayDeadLettersOptions = {}): Promise<number> {
    const replayed = await this.replayPages(topic, options);
    const groups = options.group !== undefined ? [options.group] : await this.groupNames(topic);
    const stream = this.keys.stream(topic);
    await Promise.all(groups.map(g => this.scripts!.removeConsumerIfIdle(stream, g, REPLAY_PLACEHOLDER_CONSUMER).catch(() => false)));
    return replayed;
  }

  private async replayPages(topic: string, options: ReplayDeadLettersOptions): Promise<number> {
    const redis = await this.connection();
    const dlq = this.keys.deadLetter(topic);
    let replayed = 0;
    const replayPage = async (entries: StreamEntry[]) => {
      const byGroup = new Map<string, string[]>();
      for (const [id, fields] of entries) {
        const group = fieldsToObject(fields)['dlq.group'];
        if (!group || (options.group !== undefined && group !== options.group)) continue;
        byGroup.set(group, [...(byGroup.get(group) ?? []), id]);
      }
      for (const [group, ids] of byGroup) {
        const result = await this.scripts!.replayDeadLetters(this.groupKeys(topic, group), group, Date.now(), ids);
        replayed += result.replayed;
      }
    };
    if (options.ids) {
      for (let i = 0; i < options.ids.length; i += REPLAY_BATCH) {
        const pipeline = redis.pipeline();
        for (const id of options.ids.slice(i, i + REPLAY_BATCH)) pipeline.xrange(dlq, id, id);
        const replies = ((await pipeline.exec()) ?? []) as [Error | null, StreamEntry[]][];
        await replayPage(replies.flatMap(([err, entries]) => (err ? [] : entries)));
      }
      return replayed;
    }
    let start = '-';
    for (;;) {
      const page = (await redis.xrange(dlq, start, '+', 'COUNT', REPLAY_BATCH)) as StreamEntry[];
      if (!page.length) return replayed;
      await replayPage(page);
      start = `(${page[page.length - 1][0]}`;
    }
  }

  /** Deletes every dead letter of a topic; resolves with how many there were. */
  async purgeDeadLetters(topic: string): Promise<number> {
    const redis = await this.connection();
    const [[, count]] = (await redis
      .multi()
      .xlen(this.keys.deadLetter(topic))
      .del(this.keys.deadLetter(topic), this.keys.deadLetterRefs(topic))
      .exec()) as [Error | null, number][];
    return count;
  }

  /**
   * Deletes every message of a topic (stream entries, delayed messages, scheduled retries); groups
   * stay. Dead letters stay too but can no longer be replayed. Resolves with the entries removed.
   */
  async purgeTopic(topic: string): Promise<number> {
    const redis = await this.connection();
    const groups = await this.groupNames(topic);
    const [[, removed]] = (await redis
      .multi()
      .xtrim(this.keys.stream(topic), 'MAXLEN', 0)
      .del(
        this.keys.delayed(topic),
        this.keys.deadLetterRefs(topic),
        ...groups.flatMap(g => [this.keys.retry(topic, g), this.keys.failures(topic, g)]),
      )
      .exec()) as [Error | null, number][];
    return removed;
  }

  /** Deletes every key of a topic. Running consumers recreate an empty stream and their group. */
  async deleteTopic(topic: string): Promise<void> {
    const redis = await this.connection();
    const groups = await this.groupNames(topic);
    const dedupKeys = await scanKeys(redis, `${this.keys.dedup(topic, '')}*`);
    await redis.del(
      this.keys.stream(topic), this.keys.delayed(topic), this.keys.deadLetter(topic),
      this.keys.deadLetterRefs(topic), this.keys.paused(topic),
      ...groups.flatMap(g => [this.keys.retry(topic, g), this.keys.failures(topic, g)]),
      ...dedupKeys,
    );
  }

  /** Pauses a group on a topic: every instance stops reading within 1 s; in-flight work finishes. */
  async pauseGroup(topic: string, group: string): Promise<void> {
    await this.connection();
    await this.scripts!.setPaused(this.keys, topic, group, true); // the set, and an event every server follows
  }

  /** Resumes a paused group. */
  async resumeGroup(topic: string, group: string): Promise<void> {
    await this.connection();
    await this.scripts!.setPaused(this.keys, topic, group, false);
  }

  /** Trims acked entries older than `retentionMs` now (servers also do it periodically). */
  async trimTopic(topic: string, retentionMs = DEFAULT_RETENTION_MS): Promise<number> {
    await this.connection();
    return this.scripts!.trimAcked(
      { stream: this.keys.stream(topic), deadLetterRefs: this.keys.deadLetterRefs(topic) },
      Date.now() - retentionMs,
    );
  }

  /** Releases the connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await closeConnection(this.redis);
  }

  private async connection(): Promise<RedisConnection> {
    if (this.closed) throw new Error('RedisStreamsAdmin is closed');
    if (!this.redis) {
      this.redis = createRedisConnection(this.options.connection, { offlineQueue: false, isClosed: () => this.closed });
      this.redis.on('error', () => undefined); // surfaced by the failing operation instead
      this.scripts = new RedisStreamsScripts(this.redis);
    }
    try {
      await waitUntilReady(this.redis, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (err) {
      throw new RedisUnavailableError((err as Error).message);
    }
    return this.redis;
  }

  private async groupNames(topic: string): Promise<string[]> {
    try {
      const groups = (await this.redis!.xinfo('GROUPS', this.keys.stream(topic))) as unknown[][];
      return groups.map(g => String(fieldsToObject(g.map(String)).name));
    } catch {
      return []; // no stream
    }
  }

  private groupKeys(topic: string, group: string) {
    return {
      stream: this.keys.stream(topic),
      deadLetter: this.keys.deadLetter(topic),
      retry: this.keys.retry(topic, group),
      failures: this.keys.failures(topic, group),
      deadLetterRefs: this.keys.deadLetterRefs(topic),
    };
  }
}

function toGroupInfo(raw: unknown[], paused: Set<string>): TopicGroupInfo {
  const info: Record<string, unknown> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
  const name = String(info.name);
  return {
    name,
    consumers: Number(info.consumers),
    pending: Number(info.pending),
    lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
    lastDeliveredId: String(info['last-delivered-id']),
    paused: paused.has(name),
  };
}

/** Every key matching `match` (and of `type`, if given), on every master of a cluster. */
async function scanKeys(redis: RedisConnection, match: string, type?: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = type
        ? await node.scan(cursor, 'MATCH', match, 'COUNT', 500, 'TYPE', type)
        : await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}
