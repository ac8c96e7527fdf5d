import { lastValueFrom } from 'rxjs';
import { BatchPublishError, RedisStreamsRecordBuilder, TopicFullError } from '../../lib/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { waitFor } from '../helpers/wait.js';

describe('ClientRedisStreams publishing safety', () => {
  const f = useClientFixture();
  const dedup = (data: unknown, id: string) => new RedisStreamsRecordBuilder(data).setDeduplicationId(id).build();

  it('should publish a deduplication id once within the window and resolve duplicates with the first id', async () => {
    const c = await f.client();
    const first = await lastValueFrom(c.emit('orders', dedup({ n: 1 }, 'order-42')));
    const second = await lastValueFrom(c.emit('orders', dedup({ n: 2 }, 'order-42')));
    const other = await lastValueFrom(c.emit('orders', dedup({ n: 3 }, 'order-43')));
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(await f.redis.xlen(`${f.prefix}:{orders}`)).toBe(2);
    const ttl = await f.redis.pttl(`${f.prefix}:{orders}:dedup:order-42`);
    expect(ttl).toBeGreaterThan(290_000);
  });

  it('should publish again once the deduplication window has passed', async () => {
    const c = await f.client({ deduplicationWindowMs: 150 });
    const first = await lastValueFrom(c.emit('orders', dedup({ n: 1 }, 'x')));
    await waitFor(async () => (await f.redis.exists(`${f.prefix}:{orders}:dedup:x`)) === 0, 'the window to end');
    const again = await lastValueFrom(c.emit('orders', dedup({ n: 1 }, 'x')));
    expect(again).not.toBe(first);
    expect(await f.redis.xlen(`${f.prefix}:{orders}`)).toBe(2);
  });

  it('should deduplicate delayed messages too', async () => {
    const c = await f.client();
    const rec = () => new RedisStreamsRecordBuilder({ n: 1 }).setDelay(60_000).setDeduplicationId('d').build();
    const first = await lastValueFrom(c.emit('orders', rec()));
    expect(await lastValueFrom(c.emit('orders', rec()))).toBe(first);
    expect(await f.redis.zcard(`${f.prefix}:{orders}:delayed`)).toBe(1);
  });

  it('should reject an emit to a full topic with TopicFullError instead of trimming', async () => {
    const c = await f.client({ maxLen: { orders: 3 } });
    for (let i = 0; i < 3; i++) await lastValueFrom(c.emit('orders', { i }));
    const err = await lastValueFrom(c.emit('orders', { i: 3 })).catch(e => e);
    expect(err).toBeInstanceOf(TopicFullError);
    expect(err).toMatchObject({ topic: 'orders', maxLen: 3, length: 3 });
    expect(await f.redis.xlen(`${f.prefix}:{orders}`)).toBe(3);
    await lastValueFrom(c.emit('other', { i: 0 })); // the map limits only the topics it names
  });

  it('should publish a batch in one round trip and resolve with ids in order', async () => {
    const c = await f.client();
    const ids = await c.emitBatch('orders', [{ i: 0 }, new RedisStreamsRecordBuilder({ i: 1 }).setKey('k').build(), { i: 2 }]);
    const entries = await f.redis.xrange(`${f.prefix}:{orders}`, '-', '+');
    expect(entries.map(([, f]) => f[f.indexOf('id') + 1])).toEqual(ids);
    expect(entries.map(([, f]) => JSON.parse(f[f.indexOf('data') + 1]).i)).toEqual([0, 1, 2]);
  });

  it('should report per item which messages of a batch were not published', async () => {
    const c = await f.client({ maxLen: 2 });
    const err = (await c.emitBatch('orders', [{ i: 0 }, { i: 1 }, { i: 2 }]).catch(e => e)) as BatchPublishError;
    expect(err).toBeInstanceOf(BatchPublishError);
    expect(err.results.map(r => ('error' in r ? r.error.name : 'ok'))).toEqual(['ok', 'ok', 'TopicFullError']);
    expect(await f.redis.xlen(`${f.prefix}:{orders}`)).toBe(2);
  });
});
