import { Redis } from 'ioredis';
import { StreamKeys } from '../../../lib/keys/stream-keys.js';
import { RedisStreamsScripts } from '../../../lib/scripts/redis-streams-scripts.js';
import { deletePrefix, randomPrefix, redisUrl } from '../../helpers/redis.js';

/** Each Lua script, called directly, asserted on Redis state. */
describe('RedisStreamsScripts', () => {
  let redis: Redis;
  let scripts: RedisStreamsScripts;
  let prefix: string;
  let k: StreamKeys;
  const T = 'topic';

  beforeEach(async () => {
    redis = new Redis(redisUrl());
    scripts = new RedisStreamsScripts(redis);
    prefix = randomPrefix();
    k = new StreamKeys(prefix);
  });

  afterEach(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const keys = (group = 'g') => ({
    stream: k.stream(T), deadLetter: k.deadLetter(T), retry: k.retry(T, group), failures: k.failures(T, group),
    deadLetterRefs: k.deadLetterRefs(T), delayed: k.delayed(T), dedup: k.dedup(T, 'd1'),
  });
  /** Adds n entries, creates group g and delivers them all to consumer c1. */
  async function delivered(n: number, group = 'g'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await redis.xadd(k.stream(T), '*', 'id', `m${i}`, 'ts', '1', 'data', `${i}`)) as string);
    await redis.xgroup('CREATE', k.stream(T), group, '0', 'MKSTREAM');
    await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', n, 'STREAMS', k.stream(T), '>');
    return ids;
  }
  const pel = async (group = 'g') =>
    ((await redis.xpending(k.stream(T), group, '-', '+', 100)) as [string, string, number, number][]).map(
      ([id, consumer, , count]) => ({ id, consumer, count }),
    );

  describe('scheduleRetry + claimRetries', () => {
    it('should keep the entry pending, then claim it when due with the delivery count bumped', async () => {
      const [id] = await delivered(1);
      await scripts.scheduleRetry(keys(), id, 1_000, 500);
      await scripts.scheduleRetry(keys(), id, 2_000, 900); // first failure time is kept
      expect(await redis.hget(k.failures(T, 'g'), id)).toBe('500');
      expect(await scripts.claimRetries(keys(), 'g', 'c2', 1_999, 10)).toMatchObject({ entries: [], nextDue: 2_000 });
      const claimed = await scripts.claimRetries(keys(), 'g', 'c2', 2_000, 10);
      expect(claimed.entries.map(([eid]) => eid)).toEqual([id]);
      expect(claimed.attempts.get(id)).toBe(2);
      expect(claimed.nextDue).toBeUndefined();
      expect(await pel()).toEqual([{ id, consumer: 'c2', count: 2 }]);
      expect(await redis.zcard(k.retry(T, 'g'))).toBe(0);
    });

    it('should report entries deleted while pending and drop them from the PEL', async () => {
      const [id] = await delivered(1);
      await scripts.scheduleRetry(keys(), id, 1, 1);
      await redis.xdel(k.stream(T), id);
      const claimed = await scripts.claimRetries(keys(), 'g', 'c2', 10, 10);
      expect(claimed.deleted).toEqual([id]);
      expect(await pel()).toEqual([]);
    });
  });

  describe('reclaimIdle', () => {
    it('should take over idle entries but not those waiting for a retry', async () => {
      const [a, b] = await delivered(2);
      await scripts.scheduleRetry(keys(), b, Date.now() + 60_000, Date.now());
      const claimed = await scripts.reclaimIdle(keys(), 'g', 'c2', 0, 10, '-');
      expect(claimed.entries.map(([id]) => id)).toEqual([a]);
      expect(claimed.attempts.get(a)).toBe(2);
      expect(claimed.cursor).toBe('-');
      expect(await pel()).toEqual([{ id: a, consumer: 'c2', count: 2 }, { id: b, consumer: 'c1', count: 1 }]);
    });

    it('should not take entries younger than the idle time', async () => {
      await delivered(1);
      expect((await scripts.reclaimIdle(keys(), 'g', 'c2', 60_000, 10, '-')).entries).toEqual([]);
    });

    it('should return a cursor when it stopped before the end of the PEL', async () => {
      const ids = await delivered(3);
      const claimed = await scripts.reclaimIdle(keys(), 'g', 'c2', 0, 1, '-');
      expect(claimed.entries.map(([id]) => id)).toEqual([ids[0]]);
      expect(claimed.cursor).toBe(`(${ids[0]}`);
      const next = await scripts.reclaimIdle(keys(), 'g', 'c2', 0, 5, claimed.cursor);
      expect(next.entries.map(([id]) => id)).toEqual(ids.slice(1));
    });
  });

  describe('extendLease', () => {
    it('should reset idle time of own entries without bumping the count, and leave others alone', async () => {
      const [a, b] = await delivered(2);
      await redis.xclaim(k.stream(T), 'g', 'c2', 0, b); // b now belongs to c2
      expect(await scripts.extendLease(k.stream(T), 'g', 'c1', [a, b])).toBe(1);
      expect(await pel()).toEqual([{ id: a, consumer: 'c1', count: 1 }, { id: b, consumer: 'c2', count: 2 }]);
    });
  });

  describe('deadLetter', () => {
    it('should add the dead letter, ack the entry, forget its retry state and keep a ref', async () => {
      const [id] = await delivered(1);
      await scripts.scheduleRetry(keys(), id, 5, 100);
      const dlqId = await scripts.deadLetter(keys(), { topic: T, group: 'g', entryId: id, error: 'boom', attempts: 3, now: 200 }, ['id', 'm0', 'data', '0']);
      const [[entryId, fields]] = await redis.xrange(k.deadLetter(T), '-', '+');
      expect(entryId).toBe(dlqId);
      expect(fields).toEqual([
        'dlq.topic', T, 'dlq.group', 'g', 'dlq.entryId', id, 'dlq.error', 'boom', 'dlq.attempts', '3',
        'dlq.firstFailedAt', '100', 'dlq.lastFailedAt', '200', 'id', 'm0', 'data', '0',
      ]);
      expect(await pel()).toEqual([]);
      expect(await redis.zcard(k.retry(T, 'g'))).toBe(0);
      expect(await redis.hlen(k.failures(T, 'g'))).toBe(0);
      expect(await redis.zrange(k.deadLetterRefs(T), '0', '-1')).toEqual([`${id}|g`]);
    });
  });

  describe('replayDeadLetters', () => {
    it('should put the original back into the failing group only, as a due retry, and drop the dead letter', async () => {
      const [id] = await delivered(1, 'g');
      await redis.xgroup('CREATE', k.stream(T), 'other', '0');
      await redis.xreadgroup('GROUP', 'other', 'c9', 'COUNT', 1, 'STREAMS', k.stream(T), '>');
      await redis.xack(k.stream(T), 'other', id);
      const dlqId = await scripts.deadLetter(keys(), { topic: T, group: 'g', entryId: id, error: 'e', attempts: 1, now: 1 }, []);
      expect(await scripts.replayDeadLetters(keys('other'), 'other', 10, [dlqId])).toEqual({ replayed: 0, skipped: [dlqId] });
      expect(await scripts.replayDeadLetters(keys(), 'g', 10, [dlqId])).toEqual({ replayed: 1, skipped: [] });
      expect(await pel('g')).toEqual([{ id, consumer: 'c1', count: 0 }]); // parked with a real consumer: no phantom
      expect(await pel('other')).toEqual([]);
      expect(await redis.zscore(k.retry(T, 'g'), id)).toBe('10');
      expect(await redis.xlen(k.deadLetter(T))).toBe(0);
      expect(await redis.zcard(k.deadLetterRefs(T))).toBe(0);
      const claimed = await scripts.claimRetries(keys(), 'g', 'c3', 10, 10);
      expect(claimed.attempts.get(id)).toBe(1);
    });
  });

  describe('removeConsumerIfIdle', () => {
    it('should delete a consumer only when it owns no pending entry', async () => {
      const [id] = await delivered(1);
      expect(await scripts.removeConsumerIfIdle(k.stream(T), 'g', 'c1')).toBe(false);
      await redis.xack(k.stream(T), 'g', id);
      expect(await scripts.removeConsumerIfIdle(k.stream(T), 'g', 'c1')).toBe(true);
      expect(await redis.xinfo('CONSUMERS', k.stream(T), 'g')).toEqual([]);
    });
  });

  describe('publish', () => {
    const call = (over: Partial<Parameters<RedisStreamsScripts['publish']>[0]> = {}) => ({
      keys: keys(), maxLen: 0, deduplicationWindowMs: 0, dueAt: 0, messageId: 'm1', fields: ['id', 'm1', 'data', '1'], ...over,
    });

    it('should XADD, or ZADD when delayed', async () => {
      const [code, entryId] = await scripts.publish(call());
      expect(code).toBe(0);
      expect((await redis.xrange(k.stream(T), '-', '+'))[0][0]).toBe(entryId);
      expect(await scripts.publish(call({ dueAt: 99 }))).toEqual([0, '']);
      expect(await redis.zrange(k.delayed(T), '0', '-1', 'WITHSCORES')).toEqual([JSON.stringify(['id', 'm1', 'data', '1']), '99']);
    });

    it('should answer -1 with the first id for a duplicate, and -2 with the length when full', async () => {
      expect((await scripts.publish(call({ deduplicationWindowMs: 1000 })))[0]).toBe(0);
      expect(await scripts.publish(call({ deduplicationWindowMs: 1000, messageId: 'm2' }))).toEqual([-1, 'm1']);
      expect(await scripts.publish(call({ maxLen: 1, messageId: 'm3' }))).toEqual([-2, '1']);
      expect(await redis.xlen(k.stream(T))).toBe(1);
    });
  });

  describe('promoteDelayed', () => {
    it('should move only due messages into the stream and report the next due time', async () => {
      await redis.zadd(k.delayed(T), 100, JSON.stringify(['id', 'a', 'data', '1']), 300, JSON.stringify(['id', 'b', 'data', '2']));
      expect(await scripts.promoteDelayed(keys(), 200, 10)).toEqual({ promoted: 1, nextDue: 300 });
      const entries = await redis.xrange(k.stream(T), '-', '+');
      expect(entries.map(([, f]) => f)).toEqual([['id', 'a', 'data', '1']]);
      expect(await scripts.promoteDelayed(keys(), 200, 10)).toEqual({ promoted: 0, nextDue: 300 });
      expect(await scripts.promoteDelayed(keys(), 300, 10)).toEqual({ promoted: 1, nextDue: undefined });
    });
  });

  describe('trimAcked', () => {
    it('should never trim an entry that a group has not acked or a dead letter refers to', async () => {
      const ids = await delivered(4);
      await redis.xack(k.stream(T), 'g', ids[0], ids[1], ids[2]);
      await scripts.deadLetter(keys(), { topic: T, group: 'g', entryId: ids[1], error: 'e', attempts: 1, now: 1 }, []);
      expect(await scripts.trimAcked(keys(), Date.now() + 1000)).toBe(1); // ids[0] only
      expect((await redis.xrange(k.stream(T), '-', '+')).map(([id]) => id)).toEqual(ids.slice(1));
    });

    it('should keep everything younger than the retention', async () => {
      const ids = await delivered(2);
      await redis.xack(k.stream(T), 'g', ...ids);
      expect(await scripts.trimAcked(keys(), 1)).toBe(0);
    });
  });
});
