import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsAdmin, RedisStreamsContext } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startServer } from '../helpers/nest.js';
import { connection } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('RedisStreamsAdmin', () => {
  const f = useRedisFixture();
  let admin: RedisStreamsAdmin;

  beforeEach(() => {
    admin = new RedisStreamsAdmin({ connection: connection(), prefix: f.prefix });
  });

  afterEach(async () => {
    await admin.close();
  });

  const consumersOf = async (group: string) =>
    ((await f.redis.xinfo('CONSUMERS', `${f.prefix}:{orders}`, group)) as unknown[][]).map(c => String(c[1]));

  /** Group `billing` fails every message while `failing.on`; group `audit` always succeeds. */
  function twoGroups() {
    const failing = { on: true };
    const billing: { id: string; attempt: number }[] = [];
    const audit: string[] = [];
    @Controller()
    class Billing {
      @EventPattern<string>('orders', { group: 'billing', retry: { maxAttempts: 1 } })
      handle(@Ctx() ctx: RedisStreamsContext) {
        billing.push({ id: ctx.getMessageId(), attempt: ctx.getAttempt() });
        if (failing.on) throw new Error(`billing down for ${ctx.getMessageId()}`);
      }
    }
    @Controller()
    class Audit {
      @EventPattern<string>('orders', { group: 'audit' })
      handle(@Ctx() ctx: RedisStreamsContext) {
        audit.push(ctx.getMessageId());
      }
    }
    return { failing, billing, audit, controllers: [Billing, Audit] };
  }

  it('should describe topics: length, groups, delayed and dead letters', async () => {
    const t = twoGroups();
    f.servers.push(await startServer(t.controllers, { prefix: f.prefix }));
    await f.client.emitBatch('orders', [{ n: 1 }, { n: 2 }]);
    await lastValueFrom(f.client.emit('orders', { n: 3 }));
    await lastValueFrom(f.client.emit('other', { n: 1 }));
    await waitFor(async () => (await admin.getTopic('orders'))?.deadLetters === 3, 'three dead letters');
    await waitFor(async () => (await admin.getTopic('orders'))?.groups.every(g => g.pending === 0), 'acks');
    const topics = await admin.listTopics();
    expect(topics.map(t => t.topic)).toEqual(['orders', 'other']);
    const orders = topics[0];
    expect(orders).toMatchObject({ topic: 'orders', length: 3, delayed: 0, deadLetters: 3 });
    expect(orders.groups.map(g => [g.name, g.consumers, g.pending, g.lag, g.paused])).toEqual([
      ['audit', 1, 0, 0, false],
      ['billing', 1, 0, 0, false],
    ]);
    expect(orders.groups[0].lastDeliveredId).toMatch(/^\d+-\d+$/);
    expect(await admin.getTopic('nope')).toBeUndefined();
  });

  it('should list dead letters with their failure details', async () => {
    const t = twoGroups();
    f.servers.push(await startServer(t.controllers, { prefix: f.prefix }));
    const id = await lastValueFrom(f.client.emit('orders', { n: 1 }));
    await waitFor(async () => (await admin.listDeadLetters('orders')).length === 1, 'a dead letter');
    const [dl] = await admin.listDeadLetters('orders', { count: 10 });
    expect(dl).toMatchObject({ messageId: id, topic: 'orders', group: 'billing', attempts: 1, data: { n: 1 }, headers: {} });
    expect(dl.error).toContain(`billing down for ${id}`);
    expect(dl.firstFailedAt).toBeInstanceOf(Date);
    expect(dl.lastFailedAt.getTime()).toBeGreaterThanOrEqual(dl.firstFailedAt.getTime());
    expect(dl.originalEntryId).toMatch(/^\d+-\d+$/);
  });

  it('should replay dead letters to the failing group only', async () => {
    const t = twoGroups();
    f.servers.push(await startServer(t.controllers, { prefix: f.prefix }));
    const ids = await f.client.emitBatch('orders', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await waitFor(async () => (await admin.listDeadLetters('orders')).length === 3, 'three dead letters');
    await waitFor(() => t.audit.length === 3, 'audit');
    t.failing.on = false;

    const [first] = await admin.listDeadLetters('orders', { count: 1 });
    expect(await admin.replayDeadLetters('orders', { ids: [first.entryId] })).toBe(1);
    await waitFor(() => t.billing.length === 4, 'the replayed one');
    expect(t.billing[3]).toEqual({ id: first.messageId, attempt: 1 });

    expect(await admin.replayDeadLetters('orders', { group: 'audit' })).toBe(0);
    expect(await admin.replayDeadLetters('orders')).toBe(2);
    await waitFor(() => t.billing.length === 6, 'all replayed');
    await waitFor(async () => (await admin.getTopic('orders'))?.groups.every(g => g.pending === 0), 'acks');
    expect(new Set(t.billing.slice(3).map(b => b.id))).toEqual(new Set(ids));
    expect(t.audit).toHaveLength(3); // the other group never saw them again
    expect(await admin.listDeadLetters('orders')).toEqual([]);
    expect(await consumersOf('billing')).toEqual([f.servers[0].server['consumerName']]); // no phantom replay consumer
  });

  it('should leave no phantom consumer when replaying to a group that has no consumer yet', async () => {
    const t = twoGroups();
    const first = await startServer(t.controllers, { prefix: f.prefix });
    await f.client.emitBatch('orders', [{ n: 1 }, { n: 2 }]);
    await waitFor(async () => (await admin.listDeadLetters('orders')).length === 2, 'two dead letters');
    await first.close(); // a clean stop removes its (idle) consumer from the groups
    expect(await consumersOf('billing')).toEqual([]);
    t.failing.on = false;
    expect(await admin.replayDeadLetters('orders', { group: 'billing' })).toBe(2);
    const second = await startServer(t.controllers, { prefix: f.prefix });
    f.servers.push(second);
    await waitFor(() => t.billing.length === 4, 'both replayed');
    await waitFor(async () => (await admin.getTopic('orders'))?.groups.every(g => g.pending === 0), 'acks');
    expect(await admin.replayDeadLetters('orders')).toBe(0); // also clears what an earlier replay parked
    expect(await consumersOf('billing')).toEqual([second.server['consumerName']]);
  });

  it('should purge dead letters, purge a topic, and delete a topic', async () => {
    const t = twoGroups();
    f.servers.push(await startServer(t.controllers, { prefix: f.prefix }));
    await f.client.emitBatch('orders', [{ n: 1 }, { n: 2 }]);
    await waitFor(async () => (await admin.getTopic('orders'))?.deadLetters === 2, 'dead letters');
    expect(await admin.purgeDeadLetters('orders')).toBe(2);
    expect((await admin.getTopic('orders'))?.deadLetters).toBe(0);

    expect(await admin.purgeTopic('orders')).toBe(2);
    expect((await admin.getTopic('orders'))?.length).toBe(0);

    await admin.deleteTopic('other-never-existed');
    await admin.deleteTopic('orders');
    // Running consumers recreate their groups when the stream comes back, and keep consuming
    // from its first entry.
    t.failing.on = false;
    const id = await lastValueFrom(f.client.emit('orders', { after: true }));
    await waitFor(() => t.audit.includes(id), 'consumption after delete');
    expect((await admin.getTopic('orders'))?.groups.length).toBe(2);
  });

  it('should pause a group on every instance within 1 s and resume it', async () => {
    const seen: string[] = [];
    const make = () => {
      @Controller()
      class H {
        @EventPattern<string>('orders', { group: 'billing' })
        handle(@Ctx() ctx: RedisStreamsContext) {
          seen.push(ctx.getMessageId());
        }
      }
      return H;
    };
    const one = await startServer([make()], { prefix: f.prefix, consumer: 'one' });
    const two = await startServer([make()], { prefix: f.prefix, consumer: 'two' });
    f.servers.push(one, two);
    const pausedAt = Date.now();
    await admin.pauseGroup('orders', 'billing');
    const states = () => [...one.server.getConsumerStates(), ...two.server.getConsumerStates()];
    await waitFor(() => states().every(s => s.paused), 'both instances paused', 2_000);
    expect(Date.now() - pausedAt).toBeLessThan(1_000);
    expect(states().every(s => s.alive)).toBe(true);
    expect((await admin.getTopic('orders'))?.groups[0].paused).toBe(true);

    const ids = await f.client.emitBatch('orders', Array.from({ length: 10 }, (_, i) => ({ i })));
    expect((await admin.getTopic('orders'))?.groups[0].lag).toBe(10);
    expect(seen).toEqual([]);
    await admin.resumeGroup('orders', 'billing');
    await waitFor(() => seen.length === 10, 'delivery after resume', 3_000);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('should trim only entries every group acked', async () => {
    const stream = `${f.prefix}:{trim}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await f.redis.xadd(stream, '*', 'id', `m${i}`, 'ts', '1', 'data', '1')) as string);
    await f.redis.xgroup('CREATE', stream, 'a', '0');
    await f.redis.xgroup('CREATE', stream, 'b', '0');
    await f.redis.xreadgroup('GROUP', 'a', 'c', 'COUNT', 5, 'STREAMS', stream, '>');
    await f.redis.xack(stream, 'a', ...ids);
    await f.redis.xreadgroup('GROUP', 'b', 'c', 'COUNT', 2, 'STREAMS', stream, '>');
    await f.redis.xack(stream, 'b', ids[0]);
    expect(await admin.trimTopic('trim', 0)).toBe(1); // ids[1] pending for b, ids[2..] unread by b
    expect((await f.redis.xrange(stream, '-', '+')).map(([id]) => id)).toEqual(ids.slice(1));
    await f.redis.xack(stream, 'b', ids[1]);
    expect(await admin.trimTopic('trim', 0)).toBe(1);
    expect(await admin.trimTopic('trim')).toBe(0); // nothing is older than 7 days
    expect(await f.redis.xlen(stream)).toBe(3);
  });
});
