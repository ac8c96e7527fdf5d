import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ClientRedisStreams, RedisStreamsContext, RedisStreamsRecordBuilder } from '../../../lib/index.js';
import { OutboxTransactionRequiredError } from '../../../lib/errors/outbox-transaction-required.error.js';
import { RedisStreamsOutbox } from '../../../lib/persistence/outbox/redis-streams-outbox.js';
import { startClient, startServer, type TestServer } from '../../helpers/nest.js';
import { deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { migratedDatabase, type FreshDatabase } from '../persistence/fresh-database.js';

interface Received {
  n: number;
  key: string | undefined;
  messageId: string;
}

describe(RedisStreamsOutbox.name, () => {
  let prefix: string;
  let redis: Redis;
  let db: FreshDatabase & { dataSource: DataSource };
  let client: ClientRedisStreams;
  const outboxes: RedisStreamsOutbox[] = [];
  const servers: TestServer[] = [];
  let received: Received[];

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    db = await migratedDatabase();
    await db.dataSource.query(`CREATE TABLE orders (n int PRIMARY KEY)`);
    client = await startClient(prefix);
    received = [];
  });

  afterEach(async () => {
    await Promise.all(outboxes.splice(0).map(o => o.close()));
    await Promise.all(servers.splice(0).map(s => s.close()));
    await client.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await db.drop();
  });

  function outbox(options: ConstructorParameters<typeof RedisStreamsOutbox>[2] = {}): RedisStreamsOutbox {
    const o = new RedisStreamsOutbox(db.dataSource, client, { pruneIntervalMs: 0, ...options });
    outboxes.push(o);
    return o;
  }

  @Controller()
  class Handlers {
    @EventPattern<string>('orders')
    handle(@Payload() data: { n: number }, @Ctx() ctx: RedisStreamsContext) {
      received.push({ n: data.n, key: ctx.getKey(), messageId: ctx.getMessageId() });
    }
  }

  async function consume(concurrency = 1): Promise<void> {
    servers.push(await startServer([Handlers], { prefix, group: 'g', concurrency }));
  }

  async function order(o: RedisStreamsOutbox, n: number, key?: string): Promise<string> {
    return db.dataSource.transaction(async manager => {
      await manager.query(`INSERT INTO orders (n) VALUES ($1)`, [n]);
      const record = new RedisStreamsRecordBuilder({ n }).setHeaders({ 'x-n': String(n) });
      if (key) record.setKey(key);
      return o.emit(manager, 'orders', record.build());
    });
  }

  describe('emit', () => {
    it('should publish a committed message under the id emit returned, with its headers and key', async () => {
      await consume();
      const o = outbox();
      o.start();
      const id = await order(o, 1, 'customer-1');
      await waitFor(() => received.length === 1, 'the message');
      expect(received[0]).toEqual({ n: 1, key: 'customer-1', messageId: id });
      // Marked sent when the relay's pass commits, which may follow the delivery.
      const row = await waitFor(async () => (await db.dataSource.query(`SELECT sent_at, attempts FROM message_outbox WHERE sent_at IS NOT NULL`))[0], 'the row marked sent');
      expect(row.sent_at).toBeInstanceOf(Date);
      expect(row.attempts).toBe(1);
    });

    it('should never publish the message of a rolled-back transaction', async () => {
      const o = outbox();
      await expect(
        db.dataSource.transaction(async manager => {
          await o.emit(manager, 'orders', { n: 99 });
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      await order(o, 1);
      expect(await o.relayOnce()).toEqual({ claimed: 1, published: 1, failed: 0 });
      expect(await redis.xlen(`${prefix}:{orders}`)).toBe(1);
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM message_outbox`)).toEqual([{ n: 1 }]);
    });

    it('should refuse a manager outside a transaction', async () => {
      const o = outbox();
      await expect(o.emit(db.dataSource.manager, 'orders', { n: 1 })).rejects.toBeInstanceOf(OutboxTransactionRequiredError);
      const runner = db.dataSource.createQueryRunner();
      try {
        await expect(o.emit(runner, 'orders', { n: 1 })).rejects.toBeInstanceOf(OutboxTransactionRequiredError);
      } finally {
        await runner.release();
      }
    });
  });

  describe('relay', () => {
    it('should publish a row once even when it is relayed again after a crash before marking it sent', async () => {
      await consume();
      const o = outbox();
      const id = await order(o, 1);
      await o.relayOnce();
      // What a crash between XADD and the commit of sent_at leaves: the row pending again.
      await db.dataSource.query(`UPDATE message_outbox SET sent_at = NULL`);
      expect(await o.relayOnce()).toEqual({ claimed: 1, published: 1, failed: 0 });
      await waitFor(() => received.length === 1, 'the message');
      expect(await redis.xlen(`${prefix}:{orders}`)).toBe(1);
      // Past the dedup window the copy would be published, under the same message id for an inbox to catch.
      await redis.del(...(await redis.keys(`${prefix}:{orders}:dedup*`)));
      await db.dataSource.query(`UPDATE message_outbox SET sent_at = NULL`);
      await o.relayOnce();
      await waitFor(() => received.length === 2, 'the copy');
      expect(received.map(r => r.messageId)).toEqual([id, id]);
    });

    it('should be woken by NOTIFY long before its poll interval', async () => {
      await consume();
      const o = outbox({ pollIntervalMs: 60_000 });
      o.start();
      // The first pass runs at start; wait for its sleep, then commit.
      await waitFor(async () => (await o.getStats()).relaying, 'the relay');
      await new Promise(resolve => setImmediate(resolve));
      const started = Date.now();
      await order(o, 1);
      await waitFor(() => received.length === 1, 'the message', 20_000);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('should keep per-key order with interleaved keys and two relays sharing the work', async () => {
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const writer = outbox({ relay: false });
      // Concurrent writers: each key's writes race with the others'.
      await Promise.all(
        keys.map(async (key, k) => {
          for (let i = 0; i < 60; i++) await order(writer, k * 1000 + i, key);
        }),
      );
      // Keyless ones too: no order promised, but all published.
      for (let i = 0; i < 20; i++) await order(writer, 9000 + i);
      await consume(1);
      const relays = [outbox({ batchSize: 7, pollIntervalMs: 50 }), outbox({ batchSize: 7, pollIntervalMs: 50 })];
      relays.forEach(r => r.start());
      await waitFor(() => received.length === 320, 'every message', 30_000);
      expect(await redis.xlen(`${prefix}:{orders}`)).toBe(320);
      for (const key of keys) {
        const seen = received.filter(r => r.key === key).map(r => r.n);
        expect(seen).toEqual([...seen].sort((x, y) => x - y));
        expect(seen).toHaveLength(60);
      }
      // Every row was published once, by one relay or the other (counted when its pass commits).
      const publishedBy = async () => (await Promise.all(relays.map(async r => (await r.getStats()).published))).reduce((a, b) => a + b, 0);
      await waitFor(async () => (await publishedBy()) >= 320, 'both passes committed');
      expect(await publishedBy()).toBe(320);
    });

    it('should hold a key back while its head cannot be published, and carry on with other keys', async () => {
      const failing = new Set(['k1']);
      const flaky = {
        emit: (topic: string, data: any) => {
          if (failing.has(data.options.key)) throw new Error('Redis says no');
          return client.emit(topic, data);
        },
      };
      const o = new RedisStreamsOutbox(db.dataSource, flaky as any, { pruneIntervalMs: 0 });
      outboxes.push(o);
      await order(o, 1, 'k1');
      await order(o, 2, 'k1');
      await order(o, 3, 'k2');
      expect(await o.relayOnce()).toEqual({ claimed: 3, published: 1, failed: 1 });
      const rows = await db.dataSource.query(`SELECT message_key, sent_at IS NOT NULL AS sent, attempts, last_error FROM message_outbox ORDER BY id`);
      expect(rows).toEqual([
        { message_key: 'k1', sent: false, attempts: 1, last_error: 'Redis says no' },
        { message_key: 'k1', sent: false, attempts: 0, last_error: null },
        { message_key: 'k2', sent: true, attempts: 1, last_error: null },
      ]);
      const stats = await o.getStats();
      expect(stats).toMatchObject({ pending: 2, failedAttempts: 1, published: 1 });
      expect(stats.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
      failing.clear();
      expect(await o.relayOnce()).toEqual({ claimed: 2, published: 2, failed: 0 });
      expect((await o.getStats()).pending).toBe(0);
    });

    it('should delete rows as it publishes them with retention 0', async () => {
      const o = outbox({ retentionMs: 0 });
      await order(o, 1);
      await order(o, 2);
      expect(await o.relayOnce()).toEqual({ claimed: 2, published: 2, failed: 0 });
      expect(await redis.xlen(`${prefix}:{orders}`)).toBe(2);
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM message_outbox`)).toEqual([{ n: 0 }]);
    });

    it('should prune sent rows past their retention only', async () => {
      const o = outbox({ retentionMs: 60_000 });
      await order(o, 1);
      await order(o, 2);
      await o.relayOnce();
      await order(o, 3);
      await db.dataSource.query(`UPDATE message_outbox SET sent_at = sent_at - interval '2 minutes' WHERE sent_at IS NOT NULL AND payload LIKE '%1%'`);
      expect(await o.prune()).toBe(1);
      const left = await db.dataSource.query(`SELECT payload FROM message_outbox ORDER BY id`);
      expect(left.map((r: { payload: string }) => JSON.parse(r.payload).n)).toEqual([2, 3]);
    });
  });
});
