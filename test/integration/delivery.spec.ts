import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsContext, RedisStreamsRecordBuilder, ServerRedisStreams } from '../../lib/index.js';
import { connection } from '../helpers/redis.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startClient, startServer } from '../helpers/nest.js';
import { deferred, waitFor } from '../helpers/wait.js';

describe('ServerRedisStreams delivery', () => {
  const f = useRedisFixture();

  function recorder(topic: string) {
    const seen: { data: any; ctx: RedisStreamsContext; who: string }[] = [];
    const make = (who: string) => {
      @Controller()
      class Handlers {
        @EventPattern<string>(topic)
        handle(@Payload() data: any, @Ctx() ctx: RedisStreamsContext) {
          seen.push({ data, ctx, who });
        }
      }
      return Handlers;
    };
    return { seen, make };
  }

  it('should handle 1000 emits exactly once, and ack them all', async () => {
    const { seen, make } = recorder('orders');
    f.servers.push(await startServer([make('a')], { prefix: f.prefix, group: 'billing' }));
    const ids = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => lastValueFrom(f.client.emit('orders', { i }))),
    );
    await waitFor(() => seen.length >= 1000, '1000 deliveries');
    expect(new Set(ids).size).toBe(1000);
    expect(new Set(seen.map(s => s.ctx.getMessageId()))).toEqual(new Set(ids));
    expect(new Set(seen.map(s => s.data.i)).size).toBe(1000);
    await waitFor(async () => ((await f.redis.xpending(`${f.prefix}:{orders}`, 'billing')) as [number])[0] === 0, 'empty PEL');
    expect(seen.length).toBe(1000);
  });

  it('should give every group every message', async () => {
    const billing = recorder('orders');
    const shipping = recorder('orders');
    f.servers.push(await startServer([billing.make('b')], { prefix: f.prefix, group: 'billing' }));
    f.servers.push(await startServer([shipping.make('s')], { prefix: f.prefix, group: 'shipping' }));
    await Promise.all(Array.from({ length: 100 }, (_, i) => lastValueFrom(f.client.emit('orders', { i }))));
    await waitFor(() => billing.seen.length >= 100 && shipping.seen.length >= 100, 'both groups');
    expect(billing.seen.map(s => s.ctx.getGroup())).toEqual(Array(100).fill('billing'));
    expect(new Set(shipping.seen.map(s => s.data.i)).size).toBe(100);
  });

  it('should split the work between two consumers of one group, without duplicates', async () => {
    const { seen, make } = recorder('orders');
    f.servers.push(await startServer([make('one')], { prefix: f.prefix, group: 'billing', consumer: 'one', batchSize: 5, concurrency: 5 }));
    f.servers.push(await startServer([make('two')], { prefix: f.prefix, group: 'billing', consumer: 'two', batchSize: 5, concurrency: 5 }));
    for (let chunk = 0; chunk < 10; chunk++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => lastValueFrom(f.client.emit('orders', { i: chunk * 50 + i }))));
    }
    await waitFor(() => seen.length >= 500, '500 deliveries');
    expect(new Set(seen.map(s => s.data.i)).size).toBe(500);
    expect(seen.length).toBe(500);
    const byOne = seen.filter(s => s.who === 'one').length;
    expect(byOne).toBeGreaterThan(0);
    expect(byOne).toBeLessThan(500);
    expect(new Set(seen.map(s => s.ctx.getConsumer()))).toEqual(new Set(['one', 'two']));
  });

  it('should fill every context getter and carry headers and Nest packet metadata', async () => {
    const { seen, make } = recorder('orders');
    f.servers.push(await startServer([make('a')], { prefix: f.prefix, group: 'billing', consumer: 'c1' }));
    f.client.setOnDispatchHook(packet => {
      packet.metadata = { traceparent: '00-abc-def-01' };
    });
    const before = Date.now();
    const record = new RedisStreamsRecordBuilder({ n: 1 }).setHeaders({ 'x-tenant-id': 't1' }).setKey('customer-42').build();
    const id = await lastValueFrom(f.client.emit('orders', record));
    await waitFor(() => seen.length === 1, 'one delivery');
    const { data, ctx } = seen[0];
    expect(data).toEqual({ n: 1 });
    expect(ctx.getTopic()).toBe('orders');
    expect(ctx.getMessageId()).toBe(id);
    expect(ctx.getEntryId()).toMatch(/^\d+-\d+$/);
    expect(ctx.getGroup()).toBe('billing');
    expect(ctx.getConsumer()).toBe('c1');
    expect(ctx.getAttempt()).toBe(1);
    expect(ctx.getHeaders()).toEqual({ traceparent: '00-abc-def-01', 'x-tenant-id': 't1' });
    expect(ctx.getPublishedAt().getTime()).toBeGreaterThanOrEqual(before);
    expect(ctx.getKey()).toBe('customer-42');
  });

  it('should honour custom serializers and deserializers', async () => {
    const { seen, make } = recorder('orders');
    f.servers.push(
      await startServer([make('a')], {
        prefix: f.prefix,
        deserializer: { deserialize: (raw: any) => ({ ...raw, data: { unwrapped: raw.data.wrapped } }) },
      }),
    );
    const custom = await startClient(f.prefix, {
      serializer: { serialize: (packet: any) => ({ ...packet, data: { wrapped: packet.data } }) },
    });
    await lastValueFrom(custom.emit('orders', 'payload'));
    await custom.close();
    await waitFor(() => seen.length === 1, 'one delivery');
    expect(seen[0].data).toEqual({ unwrapped: 'payload' });
  });

  it('should start the first group of a topic where the producer started, later groups per startFrom', async () => {
    await lastValueFrom(f.client.emit('orders', { old: true }));
    const first = recorder('orders');
    f.servers.push(await startServer([first.make('f')], { prefix: f.prefix, group: 'first' }));
    await waitFor(() => first.seen.length === 1, 'the message published before any group existed');
    const latest = recorder('orders');
    const earliest = recorder('orders');
    f.servers.push(await startServer([latest.make('l')], { prefix: f.prefix, group: 'latest' }));
    f.servers.push(await startServer([earliest.make('e')], { prefix: f.prefix, group: 'earliest', startFrom: 'earliest' }));
    await lastValueFrom(f.client.emit('orders', { old: false }));
    await waitFor(() => latest.seen.length === 1 && earliest.seen.length === 2 && first.seen.length === 2, 'deliveries');
    expect(first.seen.map(s => s.data)).toEqual([{ old: true }, { old: false }]);
    expect(latest.seen[0].data).toEqual({ old: false });
  });

  it('should agree on the first group’s start when replicas race to create it', async () => {
    const ids = await f.client.emitBatch('orders', Array.from({ length: 20 }, (_, i) => ({ i })));
    const { seen, make } = recorder('orders');
    const servers = await Promise.all(
      ['a', 'b', 'c'].map(consumer => startServer([make(consumer)], { prefix: f.prefix, group: 'g', consumer })),
    );
    f.servers.push(...servers);
    await waitFor(() => seen.length === 20, 'every message published before the group existed');
    expect(new Set(seen.map(s => s.ctx.getMessageId()))).toEqual(new Set(ids));
    const groups = (await f.redis.xinfo('GROUPS', `${f.prefix}:{orders}`)) as unknown[][];
    expect(groups).toHaveLength(1);
  });

  it('should run Nest processing hooks around every handler call when they are set', async () => {
    const { seen, make } = recorder('orders');
    const events: string[] = [];
    const strategy = new ServerRedisStreams({ connection: connection(), prefix: f.prefix, blockMs: 500 });
    strategy.setOnProcessingStartHook((_transport, ctx, done) => {
      events.push(`start:${(ctx as RedisStreamsContext).getMessageId()}`);
      return done();
    });
    strategy.setOnProcessingEndHook((_transport, ctx) => events.push(`end:${(ctx as RedisStreamsContext).getMessageId()}`));
    class HookModule {}
    Module({ controllers: [make('a')] })(HookModule);
    const app = await NestFactory.createMicroservice(HookModule, { strategy, logger: false });
    await app.listen();
    f.servers.push({ app, server: strategy, close: () => app.close() });
    const id = await lastValueFrom(f.client.emit('orders', { n: 1 }));
    await waitFor(() => seen.length === 1 && events.length === 2, 'the handler and both hooks');
    expect(events).toEqual([`start:${id}`, `end:${id}`]);
  });

  it('should deliver the entry that recreated a deleted stream before the group was recreated', async () => {
    const release = deferred();
    const seen: unknown[] = [];
    @Controller()
    class Busy {
      @EventPattern<string>('orders', { concurrency: 1 })
      async handle(@Payload() data: { n: number }) {
        seen.push(data);
        if (data.n === 1) await release.promise;
      }
    }
    f.servers.push(await startServer([Busy], { prefix: f.prefix, group: 'g' }));
    await lastValueFrom(f.client.emit('orders', { n: 1 }));
    await waitFor(() => seen.length === 1, 'the first message to be handled');
    await f.redis.del(`${f.prefix}:{orders}`); // e.g. admin.deleteTopic
    await lastValueFrom(f.client.emit('orders', { n: 2 })); // recreates the stream, without groups
    release.resolve();
    await waitFor(() => seen.length === 2, 'the message that recreated the stream');
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
