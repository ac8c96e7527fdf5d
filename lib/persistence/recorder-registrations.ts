import { DEFAULT_RETENTION_MS } from '../constants.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import type { RedisStreamsPersistenceOptions } from './interfaces/redis-streams-persistence-options.interface.js';
import { fit } from './record-rows.js';
import { ENSURE_SUBSCRIPTION, ENSURE_TOPIC } from './recorder.sql.js';

/** What registering needs of the database (the recorder's `RecorderDatabase`). */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** A topic's row id and its message retention (ms). */
export interface TopicRow {
  id: string;
  retentionMs: number;
}

/**
 * The `message_topics` and `message_subscriptions` rows the recorder writes against: found, or
 * inserted on first use, then kept in memory (a row is never deleted under a running recorder).
 * Names longer than their columns are cut to them: a name PostgreSQL refused would fail every
 * flush, and so every topic's records.
 */
export class RecorderRegistrations {
  private readonly topics = new Map<string, TopicRow>();
  private readonly subscriptions = new Map<string, string>();

  constructor(
    private readonly database: Queryable,
    private readonly keys: StreamKeys,
    private readonly defaults: RedisStreamsPersistenceOptions['subscriptionDefaults'],
  ) {}

  /** The row of `topic` if it is known already (no query). */
  knownTopic(topic: string): TopicRow | undefined {
    return this.topics.get(topic);
  }

  /** The subscription id of (`topic`, `group`) if it is known already (no query). */
  knownSubscription(topic: string, group: string): string | undefined {
    return this.subscriptions.get(subscriptionKey(topic, group));
  }

  async topic(topic: string): Promise<TopicRow> {
    const known = this.topics.get(topic);
    if (known) return known;
    const row = await this.ensure(ENSURE_TOPIC, [fit(topic, 255)]);
    const value = { id: row.id, retentionMs: Number(row.retention_ms ?? DEFAULT_RETENTION_MS) };
    this.topics.set(topic, value);
    return value;
  }

  async subscription(topic: string, group: string): Promise<string> {
    const key = subscriptionKey(topic, group);
    const known = this.subscriptions.get(key);
    if (known) return known;
    const { id: topicId } = await this.topic(topic);
    const s = this.defaults ?? {};
    const row = await this.ensure(ENSURE_SUBSCRIPTION, [
      topicId,
      fit(group, 255),
      s.offsetResetPolicy ?? 'latest',
      s.maxPollRecords ?? 64,
      s.sessionTimeoutMs ?? 30_000,
      s.heartbeatIntervalMs ?? 2_000,
      s.maxRetryAttempts ?? 3,
      s.retryDelayMs ?? 1_000,
      s.deadLetter === false ? null : fit(this.keys.deadLetter(topic), 512),
    ]);
    this.subscriptions.set(key, row.id);
    return row.id;
  }

  /** Runs a find-or-insert; a concurrent insert by another process makes it return nothing once. */
  private async ensure(sql: string, params: unknown[]): Promise<Record<string, unknown> & { id: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await this.database.query(sql, params);
      const rows = (Array.isArray(result) ? result : (result?.rows ?? [])) as { id: string }[];
      if (rows.length) return rows[0];
    }
    throw new Error('could not register the topic or subscription (concurrent inserts)');
  }
}

/** The key of a (topic, group) pair in maps. */
export function subscriptionKey(topic: string, group: string): string {
  return `${topic}\u0000${group}`;
}
