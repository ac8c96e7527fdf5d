import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsRecordBuilder } from '../../../lib/index.js';
import { useClientFixture } from '../../helpers/client-fixture.js';
import { inspector } from '../../helpers/redis.js';
import { PrivateRedis } from '../../helpers/redis-server.js';

/** Calls of each command Redis counted (`INFO commandstats`), scripts' inner commands included. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls.set(match[1], Number(match[2]));
  }
  return calls;
}

describe('ClientRedisStreams: the emits of one event-loop turn', () => {
  const f = useClientFixture();
  const payloads = (entries: [string, string[]][]) => entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1]));

  it('should leave as one script call per topic and up to 256 messages, in emit order, each resolving with its own entry id', async () => {
    const server = await PrivateRedis.start();
    const counter = inspector(server.url);
    const c = await f.client({ connection: { url: server.url } });
    try {
      await counter.config('RESETSTAT');
      const orders = Array.from({ length: 600 }, (_, n) => lastValueFrom(c.emit<string>('orders', { n })));
      const audit = Array.from({ length: 5 }, (_, n) => lastValueFrom(c.emit<string>('audit', { n })));
      const ids = await Promise.all(orders);
      await Promise.all(audit);

      const calls = await commandCalls(counter);
      // 600 orders = 256 + 256 + 88, plus one call for the audit topic; one XADD per message inside.
      expect((calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0)).toBe(4);
      expect(calls.get('xadd')).toBe(605);
      const entries = (await counter.xrange(`${f.prefix}:{orders}`, '-', '+')) as [string, string[]][];
      expect(payloads(entries)).toEqual(Array.from({ length: 600 }, (_, n) => ({ n })));
      const messageIds = entries.map(([, fields]) => fields[fields.indexOf('id') + 1]);
      expect(ids).toEqual(messageIds);
    } finally {
      counter.disconnect();
      await c.close(); // before its server goes (closing again after the test is a no-op)
      await server.destroy();
    }
  });

  it('should keep the order per topic when messages with other fields (a key, headers) come between plain ones', async () => {
    const c = await f.client();
    const keyed = new RedisStreamsRecordBuilder({ n: 1 }).setKey('k').build();
    const headed = new RedisStreamsRecordBuilder({ n: 3 }).setHeaders({ h: '1' }).build();
    await Promise.all([{ n: 0 }, keyed, { n: 2 }, headed, { n: 4 }, { n: 5 }].map(data => lastValueFrom(c.emit('orders', data))));
    const entries = (await f.redis.xrange(`${f.prefix}:{orders}`, '-', '+')) as [string, string[]][];
    expect(payloads(entries)).toEqual([0, 1, 2, 3, 4, 5].map(n => ({ n })));
    expect(entries[1][1]).toContain('key');
    expect(entries[3][1]).toContain('headers');
  });

  it('should keep the order per topic when a message that needs the publish script comes between plain ones', async () => {
    const c = await f.client();
    const dedup = new RedisStreamsRecordBuilder({ n: 2 }).setDeduplicationId('two').build();
    await Promise.all([
      lastValueFrom(c.emit('orders', { n: 0 })),
      lastValueFrom(c.emit('orders', { n: 1 })),
      lastValueFrom(c.emit('orders', dedup)),
      lastValueFrom(c.emit('orders', { n: 3 })),
    ]);
    const entries = (await f.redis.xrange(`${f.prefix}:{orders}`, '-', '+')) as [string, string[]][];
    expect(payloads(entries)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("should reject every message of a batch with Redis' own answer when the key cannot take them, and keep other topics' messages", async () => {
    const c = await f.client();
    await f.redis.set(`${f.prefix}:{orders}`, 'not a stream');
    const results = await Promise.allSettled([
      lastValueFrom(c.emit('orders', { n: 0 })),
      lastValueFrom(c.emit('orders', { n: 1 })),
      lastValueFrom(c.emit('audit', { n: 2 })),
    ]);
    expect(results.map(r => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    for (const r of results.slice(0, 2)) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'ReplyError', message: expect.stringMatching(/^WRONGTYPE/) });
    }
    expect(await f.redis.xlen(`${f.prefix}:{audit}`)).toBe(1);
  });

  it('should write what was emitted before close() in the same turn, also from inside a promise reaction', async () => {
    const c = await f.client();
    let sent!: Promise<unknown[]>;
    // Inside a reaction, close() sends QUIT before the turn's batch would leave on its own (nextTick
    // callbacks wait for the microtask queue): close() must send the batch first.
    await Promise.resolve().then(() => {
      sent = Promise.all([lastValueFrom(c.emit('orders', { n: 0 })), lastValueFrom(c.emit('orders', { n: 1 }))]);
      return c.close();
    });
    await expect(sent).resolves.toHaveLength(2);
    expect(await f.redis.xlen(`${f.prefix}:{orders}`)).toBe(2);
  });
});
