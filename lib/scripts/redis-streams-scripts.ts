import { ReplyError } from 'ioredis';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { claimRetries } from './lua/claimRetries-3.js';
import { deadLetter } from './lua/deadLetter-5.js';
import { ensureGroup } from './lua/ensureGroup-1.js';
import { extendLease } from './lua/extendLease-1.js';
import { promoteDelayed } from './lua/promoteDelayed-2.js';
import { publish } from './lua/publish-3.js';
import { publishBatch } from './lua/publishBatch-1.js';
import { reclaimIdle } from './lua/reclaimIdle-2.js';
import { removeConsumerIfIdle } from './lua/removeConsumerIfIdle-1.js';
import { removeIdleConsumers } from './lua/removeIdleConsumers-1.js';
import { replayDeadLetters } from './lua/replayDeadLetters-5.js';
import { scheduleRetry } from './lua/scheduleRetry-2.js';
import { settleDelayedDue } from './lua/settleDelayedDue-1.js';
import { trimAcked } from './lua/trimAcked-2.js';
import type { ScriptDefinition } from './script-definition.js';

/** A stream entry as Redis returns it: id and flat field/value list. */
export type StreamEntry = [id: string, fields: string[]];

/** Entries a script claimed for this consumer. */
export interface ClaimedEntries {
  entries: StreamEntry[];
  /** Delivery count after the claim, by entry id. */
  attempts: Map<string, number>;
  /** `traceparent` of the failed attempt before, by entry id (retries that were traced). */
  spans?: Map<string, string>;
  /** Ids whose entries were trimmed or deleted while pending; Redis dropped them from the PEL. */
  deleted: string[];
}

const SCRIPTS: ScriptDefinition[] = [
  claimRetries,
  reclaimIdle,
  extendLease,
  deadLetter,
  scheduleRetry,
  removeConsumerIfIdle,
  publish,
  publishBatch,
  promoteDelayed,
  trimAcked,
  replayDeadLetters,
  ensureGroup,
  settleDelayedDue,
  removeIdleConsumers,
];

/** Control events servers follow (`StreamKeys.controlEvents`); each names one (topic, group). */
export type ControlEventType = 'pause' | 'resume' | 'replay';

/** Control events kept (approximate MAXLEN): servers poll them every few hundred ms. */
const CONTROL_EVENTS_MAX_LEN = 1_000;

/** What the publish script needs for one message. */
export interface PublishCall {
  keys: { stream: string; delayed: string; dedup: string };
  maxLen: number;
  deduplicationWindowMs: number;
  dueAt: number;
  messageId: string;
  fields: string[];
}

type ScriptCall = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * The one place that calls Lua scripts. ioredis `defineCommand` sends EVALSHA and falls back to
 * EVAL when the script cache was flushed (e.g. after a Redis restart).
 */
export class RedisStreamsScripts {
  constructor(private readonly redis: RedisConnection) {
    for (const script of SCRIPTS) {
      redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  }

  /** Claims due retries of `group` for `consumer` (see claimRetries-3). */
  async claimRetries(
    keys: { stream: string; retry: string; failures: string },
    group: string,
    consumer: string,
    now: number,
    max: number,
  ): Promise<ClaimedEntries & { nextDue: number | undefined }> {
    const [entries, counts, deleted, nextDue, spans] = (await this.call(
      claimRetries,
      [keys.stream, keys.retry, keys.failures],
      [group, consumer, now, max],
    )) as [StreamEntry[], (string | number)[], string[], string, string[]];
    const due = Number(nextDue);
    return { entries, attempts: toCountMap(counts), spans: toSpanMap(spans), deleted, nextDue: due >= 0 ? due : undefined };
  }

  /** Takes over entries idle ≥ `minIdleMs` (see reclaimIdle-2). */
  async reclaimIdle(
    keys: { stream: string; retry: string },
    group: string,
    consumer: string,
    minIdleMs: number,
    max: number,
    cursor: string,
  ): Promise<ClaimedEntries & { cursor: string }> {
    const [entries, counts, deleted, next] = (await this.call(
      reclaimIdle,
      [keys.stream, keys.retry],
      [group, consumer, minIdleMs, max, cursor],
    )) as [StreamEntry[], (string | number)[], string[], string];
    return { entries, attempts: toCountMap(counts), deleted, cursor: next };
  }

  /** Resets the idle time of entries still being handled by `consumer` (see extendLease-1). */
  async extendLease(stream: string, group: string, consumer: string, ids: string[]): Promise<number> {
    return (await this.call(extendLease, [stream], [group, consumer, ...ids])) as number;
  }

  /** Dead-letters one entry for one group (see deadLetter-5); `span`: the last attempt's traceparent. */
  async deadLetter(
    keys: { stream: string; deadLetter: string; retry: string; failures: string; deadLetterRefs: string },
    failure: { topic: string; group: string; entryId: string; error: string; attempts: number; now: number; span?: string },
    fields: string[],
  ): Promise<string> {
    return (await this.call(
      deadLetter,
      [keys.stream, keys.deadLetter, keys.retry, keys.failures, keys.deadLetterRefs],
      [failure.group, failure.entryId, failure.error, failure.attempts, failure.now, failure.topic, failure.span ?? '', ...fields],
    )) as string;
  }

  /**
   * Schedules the next attempt of an entry for its group (see scheduleRetry-2); `span`: the failed
   * attempt's traceparent, for the next attempt to link to.
   */
  async scheduleRetry(keys: { retry: string; failures: string }, entryId: string, dueAt: number, now: number, span?: string) {
    await this.call(scheduleRetry, [keys.retry, keys.failures], [entryId, dueAt, now, span ?? '']);
  }

  /** Deletes the consumer if it owns no pending entries (see removeConsumerIfIdle-1). */
  async removeConsumerIfIdle(stream: string, group: string, consumer: string): Promise<boolean> {
    return (await this.call(removeConsumerIfIdle, [stream], [group, consumer])) === 1;
  }

  /**
   * Publishes with dedup / capacity / delay checks (see publish-3); reply `{ code, value }`. A
   * delayed message is then entered in the prefix's due index (see `indexDelayed`).
   */
  async publish(call: PublishCall): Promise<[number, string]> {
    const [keys, args] = publishArgs(call);
    const reply = (await this.call(publish, keys, args)) as [number, string];
    if (call.dueAt > 0 && reply[0] === 0) await this.indexDelayed([call]);
    return reply;
  }

  /**
   * Appends messages with the same field names to one stream in one call (see publishBatch-1):
   * `names` once, then `values`, `names.length` per message. Resolves with each message's entry id
   * in input order, or the error Redis answered for that message.
   */
  async publishBatch(stream: string, names: readonly string[], values: readonly string[]): Promise<(string | Error)[]> {
    const [ids, errors] = (await this.call(publishBatch, [stream], [names.length, ...names, ...values])) as [string[], (number | string)[]];
    const out: (string | Error)[] = ids;
    for (let i = 0; i + 1 < errors.length; i += 2) out[Number(errors[i]) - 1] = new ReplyError(String(errors[i + 1]));
    return out;
  }

  /**
   * Lowers each delayed call's topic entry in the prefix's due index to its due time (ZADD LT), so
   * every server wakes for it. Sent after the message was written, never before: a server that just
   * promoted the topic may otherwise raise the entry past it (see settleDelayedDue-1). Best effort:
   * the message is written either way, and servers re-index every delayed set on start and
   * periodically. Calls without a due time are skipped.
   */
  async indexDelayed(calls: (PublishCall | undefined)[]): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const call of calls) {
      if (!call || call.dueAt <= 0) continue;
      const keys = StreamKeys.ofKey(call.keys.stream);
      const topic = keys.topicOf(call.keys.stream);
      if (topic !== undefined) writes.push(this.redis.zadd(keys.delayedDue(), 'LT', call.dueAt, topic));
    }
    await Promise.all(writes).catch(() => undefined);
  }

  /**
   * Promotes the due delayed messages of one topic found in the due index with score `seenScore`,
   * then moves its index entry to the topic's next due time (compare and set), and re-reads the
   * topic's head so a message written between the promotion and the index update stays indexed.
   * Resolves with how many messages were promoted.
   */
  async promoteDueTopic(keys: StreamKeys, topic: string, seenScore: number, now: number, max: number): Promise<number> {
    const delayed = keys.delayed(topic);
    const { promoted, nextDue } = await this.promoteDelayed({ delayed, stream: keys.stream(topic) }, now, max);
    const next = promoted === max ? now : nextDue;
    await this.call(settleDelayedDue, [keys.delayedDue()], [topic, seenScore, next ?? '-1']);
    const head = (await this.redis.zrange(delayed, '0', '0', 'WITHSCORES')) as string[];
    if (head.length === 2) await this.redis.zadd(keys.delayedDue(), 'LT', head[1], topic);
    return promoted;
  }

  /** Creates `group` unless it exists; the topic's first group starts at '0' (see ensureGroup-1). */
  async ensureGroup(stream: string, group: string, start: string): Promise<{ created: boolean; start: string }> {
    const [created, from] = (await this.call(ensureGroup, [stream], [group, start])) as [number, string];
    return { created: created === 1, start: from };
  }

  /** Deletes consumers owning nothing and idle ≥ `minIdleMs`, in every group (see removeIdleConsumers-1). */
  async removeIdleConsumers(stream: string, minIdleMs: number): Promise<number> {
    return (await this.call(removeIdleConsumers, [stream], [Math.floor(minIdleMs)])) as number;
  }

  /** Pauses or resumes a group on a topic, and tells every server of the prefix. */
  async setPaused(keys: StreamKeys, topic: string, group: string, paused: boolean): Promise<void> {
    if (paused) await this.redis.sadd(keys.paused(topic), group);
    else await this.redis.srem(keys.paused(topic), group);
    await this.announce(keys, paused ? 'pause' : 'resume', topic, group);
  }

  /** Appends a control event that every server of the prefix picks up within its control poll. */
  async announce(keys: StreamKeys, type: ControlEventType, topic: string, group: string): Promise<void> {
    await this.redis.xadd(keys.controlEvents(), 'MAXLEN', '~', CONTROL_EVENTS_MAX_LEN, '*', 'type', type, 'topic', topic, 'group', group);
  }

  /** Moves due delayed messages into the stream (see promoteDelayed-2). */
  async promoteDelayed(keys: { delayed: string; stream: string }, now: number, max: number) {
    const [promoted, nextDue] = (await this.call(promoteDelayed, [keys.delayed, keys.stream], [now, max])) as [number, string];
    const due = Number(nextDue);
    return { promoted, nextDue: due >= 0 ? due : undefined };
  }

  /** Trims entries older than `olderThanMs` that every group acked (see trimAcked-2). */
  async trimAcked(keys: { stream: string; deadLetterRefs: string }, olderThanMs: number): Promise<number> {
    return (await this.call(trimAcked, [keys.stream, keys.deadLetterRefs], [Math.floor(olderThanMs)])) as number;
  }

  /** Sends dead letters back to `group` only (see replayDeadLetters-5), and tells the group's servers. */
  async replayDeadLetters(
    keys: { stream: string; deadLetter: string; retry: string; failures: string; deadLetterRefs: string },
    group: string,
    now: number,
    deadLetterIds: string[],
  ): Promise<{ replayed: number; skipped: string[] }> {
    const [replayed, skipped] = (await this.call(
      replayDeadLetters,
      [keys.stream, keys.deadLetter, keys.retry, keys.failures, keys.deadLetterRefs],
      [group, now, ...deadLetterIds],
    )) as [number, string[]];
    if (replayed > 0) {
      const prefixKeys = StreamKeys.ofKey(keys.stream);
      const topic = prefixKeys.topicOf(keys.stream);
      if (topic !== undefined) await this.announce(prefixKeys, 'replay', topic, group).catch(() => undefined);
    }
    return { replayed, skipped };
  }

  private call(script: ScriptDefinition, keys: string[], args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, ScriptCall>)[script.name];
    return fn.call(this.redis, ...keys, ...args);
  }
}

function publishArgs(call: PublishCall): [string[], (string | number)[]] {
  return [
    [call.keys.stream, call.keys.delayed, call.keys.dedup],
    [call.maxLen, call.deduplicationWindowMs, call.dueAt, call.messageId, ...call.fields],
  ];
}

function toCountMap(flat: (string | number)[]): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), Number(flat[i + 1]));
  return map;
}

function toSpanMap(flat: string[] | undefined): Map<string, string> | undefined {
  if (!flat?.length) return undefined;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
  return map;
}
