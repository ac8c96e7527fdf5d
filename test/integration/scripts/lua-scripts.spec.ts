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

    it("should keep the failed attempt's span with the retry and hand it to whoever claims it", async () => {
      const [a, b] = await delivered(2);
      const span1 = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const span2 = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';
      await scripts.scheduleRetry(keys(), a, 10, 5, span1);
      await scripts.scheduleRetry(keys(), a, 10, 6, span2); // the latest failed attempt counts
      await scripts.scheduleRetry(keys(), b, 10, 5); // not traced
      const claimed = await scripts.claimRetries(keys(), 'g', 'c2', 10, 10);
      expect(claimed.entries.map(([id]) => id)).toEqual([a, b]);
      expect(claimed.spans).toEqual(new Map([[a, span2]]));
      await scripts.scheduleRetry(keys(), a, 20, 7); // this attempt was not traced: no stale link
      expect(await redis.hget(k.failures(T, 'g'), `${a}:span`)).toBeNull();
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

    it("should keep the last attempt's span in the dead letter, and a replay should hand it to the replayed attempt", async () => {
      const [id] = await delivered(1);
      const span = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await scripts.scheduleRetry(keys(), id, 5, 100, '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01');
      const dlqId = await scripts.deadLetter(keys(), { topic: T, group: 'g', entryId: id, error: 'boom', attempts: 2, now: 200, span }, ['id', 'm0']);
      const [[, fields]] = await redis.xrange(k.deadLetter(T), '-', '+');
      expect(fields.slice(14)).toEqual(['dlq.span', span, 'id', 'm0']);
      expect(await redis.hlen(k.failures(T, 'g'))).toBe(0);
      await scripts.replayDeadLetters(keys(), 'g', 10, [dlqId]);
      const claimed = await scripts.claimRetries(keys(), 'g', 'c3', 10, 10);
      expect(claimed.spans?.get(id)).toBe(span);
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

    it('should enter a delayed message in the prefix due index, only ever lowering its topic’s due time', async () => {
      await scripts.publish(call({ dueAt: 500, messageId: 'a', fields: ['id', 'a'] }));
      expect(await redis.zscore(k.delayedDue(), T)).toBe('500');
      await scripts.publish(call({ dueAt: 900, messageId: 'b', fields: ['id', 'b'] }));
      expect(await redis.zscore(k.delayedDue(), T)).toBe('500');
      await scripts.publish(call({ dueAt: 200, messageId: 'c', fields: ['id', 'c'] }));
      expect(await redis.zscore(k.delayedDue(), T)).toBe('200');
      await scripts.publish(call({ messageId: 'd', fields: ['id', 'd'] })); // not delayed: index untouched
      expect(await redis.zcard(k.delayedDue())).toBe(1);
    });

    it('should answer -1 with the first id for a duplicate, and -2 with the length when full', async () => {
      expect((await scripts.publish(call({ deduplicationWindowMs: 1000 })))[0]).toBe(0);
      expect(await scripts.publish(call({ deduplicationWindowMs: 1000, messageId: 'm2' }))).toEqual([-1, 'm1']);
      expect(await scripts.publish(call({ maxLen: 1, messageId: 'm3' }))).toEqual([-2, '1']);
      expect(await redis.xlen(k.stream(T))).toBe(1);
    });
  });

  describe('publishBatch', () => {
    it('should XADD every message in order with the shared field names and answer each with its entry id', async () => {
      const replies = await scripts.publishBatch(k.stream(T), ['id', 'data'], ['m1', '1', 'm2', '2', 'm3', '3']);
      const entries = (await redis.xrange(k.stream(T), '-', '+')) as [string, string[]][];
      expect(entries).toEqual([
        [replies[0], ['id', 'm1', 'data', '1']],
        [replies[1], ['id', 'm2', 'data', '2']],
        [replies[2], ['id', 'm3', 'data', '3']],
      ]);
    });

    it('should answer each message with the error Redis gave its own XADD', async () => {
      await redis.set(k.stream(T), 'not a stream');
      const replies = await scripts.publishBatch(k.stream(T), ['id', 'data'], ['m1', '1', 'm2', '2']);
      expect(replies).toHaveLength(2);
      for (const reply of replies) expect(reply).toMatchObject({ name: 'ReplyError', message: expect.stringMatching(/^WRONGTYPE/) });
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

  describe('promoteDueTopic', () => {
    const add = (due: number, id: string) => redis.zadd(k.delayed(T), due, JSON.stringify(['id', id]));

    it('should promote the due messages and move the index entry to the next due time, or remove it', async () => {
      await add(100, 'a');
      await add(300, 'b');
      await redis.zadd(k.delayedDue(), 100, T);
      expect(await scripts.promoteDueTopic(k, T, 100, 200, 10)).toBe(1);
      expect(await redis.zscore(k.delayedDue(), T)).toBe('300');
      expect(await scripts.promoteDueTopic(k, T, 300, 300, 10)).toBe(1);
      expect(await redis.zscore(k.delayedDue(), T)).toBeNull();
      expect(await redis.xlen(k.stream(T))).toBe(2);
    });

    it('should keep an earlier due time a producer wrote since the index was read', async () => {
      await add(100, 'a');
      await add(300, 'b');
      await redis.zadd(k.delayedDue(), 120, T); // read as 150 by the server; a producer lowered it to 120 since
      expect(await scripts.promoteDueTopic(k, T, 150, 200, 10)).toBe(1);
      expect(await redis.zscore(k.delayedDue(), T)).toBe('120'); // not raised to 300
    });

    it('should re-index a message written after the promotion when the index entry was removed', async () => {
      await redis.zadd(k.delayedDue(), 100, T); // stale: nothing is delayed (e.g. a rejected publish)
      await add(700, 'late'); // written after the script read the set
      expect(await scripts.promoteDueTopic(k, T, 100, 200, 10)).toBe(0);
      expect(await redis.zscore(k.delayedDue(), T)).toBe('700');
    });
  });

  describe('ensureGroup', () => {
    it('should start the first group of a topic at 0 and later groups at the given id', async () => {
      await redis.xadd(k.stream(T), '*', 'id', 'before');
      expect(await scripts.ensureGroup(k.stream(T), 'first', '$')).toEqual({ created: true, start: '0' });
      expect(await scripts.ensureGroup(k.stream(T), 'second', '$')).toEqual({ created: true, start: '$' });
      expect(await scripts.ensureGroup(k.stream(T), 'first', '$')).toEqual({ created: false, start: '' });
      const read = (group: string) => redis.xreadgroup('GROUP', group, 'c', 'STREAMS', k.stream(T), '>');
      expect(await read('first')).toHaveLength(1);
      expect(await read('second')).toBeNull();
    });

    it('should create the stream when it does not exist yet', async () => {
      expect(await scripts.ensureGroup(k.stream(T), 'g', '$')).toEqual({ created: true, start: '0' });
      expect(await redis.exists(k.stream(T))).toBe(1);
    });
  });

  describe('removeIdleConsumers', () => {
    it('should delete idle consumers owning nothing, in every group, and keep owners', async () => {
      const ids = await delivered(1); // c1 of g owns the entry
      await redis.xreadgroup('GROUP', 'g', 'idle', 'STREAMS', k.stream(T), '0');
      await redis.xgroup('CREATE', k.stream(T), 'h', '0');
      await redis.xreadgroup('GROUP', 'h', 'done', 'STREAMS', k.stream(T), '>');
      await redis.xack(k.stream(T), 'h', ids[0]);
      expect(await scripts.removeIdleConsumers(k.stream(T), 60_000)).toBe(0); // nobody idle that long
      expect(await scripts.removeIdleConsumers(k.stream(T), 0)).toBe(2);
      const names = async (group: string) => ((await redis.xinfo('CONSUMERS', k.stream(T), group)) as string[][]).map(c => c[1]);
      expect(await names('g')).toEqual(['c1']);
      expect(await names('h')).toEqual([]);
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
