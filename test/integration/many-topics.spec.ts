import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsAdmin, RedisStreamsContext, RedisStreamsRecordBuilder } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/nest.js';
import { connection } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const TOPICS = 1_000;
const PER_TOPIC = 10;

describe('one server consuming 1,000 topics', () => {
  const f = useRedisFixture();
  let server: TestServer;
  let admin: RedisStreamsAdmin;
  const handled = new Map<string, string[]>(); // topic → message ids
  const at = new Map<string, number[]>(); // message id → handling times

  @Controller()
  class Boot {
    @EventPattern<string>('boot')
    handle() {}
  }

  const record = (_data: unknown, ctx: RedisStreamsContext) => {
    const topic = ctx.getTopic();
    handled.set(topic, [...(handled.get(topic) ?? []), ctx.getMessageId()]);
    at.set(ctx.getMessageId(), [...(at.get(ctx.getMessageId()) ?? []), Date.now()]);
  };

  beforeEach(async () => {
    handled.clear();
    at.clear();
    server = await startServer([Boot], { prefix: f.prefix, group: 'g' });
    f.servers.push(server);
    admin = new RedisStreamsAdmin({ connection: connection(), prefix: f.prefix });
    for (let i = 0; i < TOPICS; i++) await server.server.subscribe(`t${i}`, record, { group: 'g' });
  });

  afterEach(async () => {
    await admin.close();
  });

  it('should handle 10 messages on every topic exactly once, then keep delays, retries and pauses on time', async () => {
    expect(server.server.unwrap<unknown[]>()).toHaveLength(2); // command + one wake-up reader, for 1,001 consumers

    const ids = new Map<string, string[]>();
    await Promise.all(
      Array.from({ length: TOPICS }, async (_, i) => {
        ids.set(`t${i}`, await f.client.emitBatch(`t${i}`, Array.from({ length: PER_TOPIC }, (_, n) => ({ n }))));
      }),
    );
    await waitFor(() => [...handled.values()].reduce((n, list) => n + list.length, 0) >= TOPICS * PER_TOPIC, 'every message', 30_000);
    for (const [topic, expected] of ids) expect([...(handled.get(topic) ?? [])].sort()).toEqual([...expected].sort());
    const pending = await Promise.all(
      Array.from({ length: TOPICS }, (_, i) => f.redis.xpending(`${f.prefix}:{t${i}}`, 'g') as Promise<[number]>),
    );
    expect(pending.every(([count]) => count === 0)).toBe(true);

    // A 1 s delayed message, with every topic subscribed.
    const due = Date.now() + 1_000;
    const delayedId = await lastValueFrom(f.client.emit('t7', new RedisStreamsRecordBuilder({ late: true }).setDeliverAt(due).build()));
    // A retry with a fixed 500 ms backoff.
    let failedAt = 0;
    await server.server.subscribe(
      'flaky',
      (_data, ctx: RedisStreamsContext) => {
        record(_data, ctx);
        if (ctx.getAttempt() === 1) {
          failedAt = Date.now();
          throw new Error('first attempt fails');
        }
      },
      { group: 'g', retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 500, jitter: false } } },
    );
    const flakyId = await lastValueFrom(f.client.emit('flaky', { n: 1 }));

    await waitFor(() => at.has(delayedId) && (at.get(flakyId)?.length ?? 0) === 2, 'the delayed message and the retry', 10_000);
    const lateness = at.get(delayedId)![0] - due;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(150);
    const retryLateness = at.get(flakyId)![1] - failedAt - 500;
    expect(retryLateness).toBeGreaterThanOrEqual(0);
    expect(retryLateness).toBeLessThan(150);

    // A pause holds within 1 s: once the consumer says paused, a message behind one on another
    // topic is not handled; after the resume it is.
    const pausedAt = Date.now();
    await admin.pauseGroup('t3', 'g');
    await waitFor(() => server.server.getConsumerStates().find(s => s.topic === 't3')?.paused, 'the pause', 1_000);
    expect(Date.now() - pausedAt).toBeLessThan(1_000);
    const held = await lastValueFrom(f.client.emit('t3', { held: true }));
    const passed = await lastValueFrom(f.client.emit('t4', { passed: true }));
    await waitFor(() => at.has(passed), 'a message on another topic');
    expect(at.has(held)).toBe(false);
    await admin.resumeGroup('t3', 'g');
    await waitFor(() => at.has(held), 'the held message after resume', 2_000);
  });

  it('should promote a delayed message of a topic that only an external group consumes', async () => {
    await f.redis.xgroup('CREATE', `${f.prefix}:{external}`, 'outside', '$', 'MKSTREAM');
    const due = Date.now() + 500;
    const id = await lastValueFrom(f.client.emit('external', new RedisStreamsRecordBuilder({ n: 1 }).setDeliverAt(due).build()));
    const [[, entries]] = (await waitFor(
      async () => f.redis.xreadgroup('GROUP', 'outside', 'reader', 'BLOCK', 100, 'STREAMS', `${f.prefix}:{external}`, '>'),
      'the promoted message',
    )) as [string, [string, string[]][]][];
    const readAt = Date.now();
    expect(entries).toHaveLength(1);
    expect(entries[0][1]).toContain(id);
    expect(readAt).toBeGreaterThanOrEqual(due);
    expect(readAt - due).toBeLessThan(250); // promotion + this test's 100 ms read
  });
});
