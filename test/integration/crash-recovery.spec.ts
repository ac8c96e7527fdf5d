import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsContext } from '../../lib/index.js';
import { ChildConsumer } from '../helpers/child-consumer.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startServer } from '../helpers/nest.js';
import { waitFor } from '../helpers/wait.js';

describe('ServerRedisStreams crash recovery', () => {
  const f = useRedisFixture();

  const children: ChildConsumer[] = [];

  const pendingCount = async () => ((await f.redis.xpending(`${f.prefix}:{work}`, 'g')) as [number])[0];

  it('should hand a SIGKILLed consumer’s message to another consumer after claimIdleMs, as attempt ≥ 2', async () => {
    const crashed = await ChildConsumer.start({
      MQ_PREFIX: f.prefix, MQ_TOPIC: 'work', MQ_GROUP: 'g', MQ_CONSUMER: 'doomed', MQ_CLAIM_IDLE_MS: '800', MQ_HANDLER_MS: '60000',
    });
    children.push(crashed);
    const id = await lastValueFrom(f.client.emit('work', { job: 1 }));
    await waitFor(() => crashed.events.some(e => e.event === 'handling' && e.messageId === id), 'the child to start handling');
    const handlingSeenAt = Date.now();

    const taken: { id: string; attempt: number; consumer: string }[] = [];
    let takenAt = 0;
    @Controller()
    class Survivor {
      @EventPattern<string>('work')
      handle(@Ctx() ctx: RedisStreamsContext) {
        taken.push({ id: ctx.getMessageId(), attempt: ctx.getAttempt(), consumer: ctx.getConsumer() });
        takenAt = Date.now();
      }
    }
    f.servers.push(await startServer([Survivor], { prefix: f.prefix, group: 'g', consumer: 'survivor', claimIdleMs: 800 }));
    await crashed.kill();

    await waitFor(() => taken.length === 1, 'the takeover', 15_000);
    expect(taken[0]).toEqual({ id, attempt: 2, consumer: 'survivor' });
    // Not before the entry was idle for claimIdleMs (100 ms margin for the child's report).
    expect(takenAt - handlingSeenAt).toBeGreaterThanOrEqual(700);
    await waitFor(async () => (await pendingCount()) === 0, 'ack by the survivor');
  });

  it('should never take a message over from a slow but live handler', async () => {
    const handled: { id: string; attempt: number; consumer: string }[] = [];
    const make = () => {
      @Controller()
      class Slow {
        @EventPattern<string>('work')
        async handle(@Ctx() ctx: RedisStreamsContext) {
          handled.push({ id: ctx.getMessageId(), attempt: ctx.getAttempt(), consumer: ctx.getConsumer() });
          await new Promise(resolve => setTimeout(resolve, 2_500)); // ≈ 8 × claimIdleMs
        }
      }
      return Slow;
    };
    f.servers.push(await startServer([make()], { prefix: f.prefix, group: 'g', consumer: 'one', claimIdleMs: 300 }));
    f.servers.push(await startServer([make()], { prefix: f.prefix, group: 'g', consumer: 'two', claimIdleMs: 300 }));
    const id = await lastValueFrom(f.client.emit('work', { job: 1 }));
    await waitFor(() => handled.length >= 1, 'first handling');
    await waitFor(async () => (await pendingCount()) === 0, 'the slow handler to finish and ack', 10_000);
    expect(handled).toEqual([{ id, attempt: 1, consumer: handled[0].consumer }]);
  });

  it('should remove consumers that own nothing and were idle far longer than claimIdleMs, and keep owners', async () => {
    const stream = `${f.prefix}:{work}`;
    await lastValueFrom(f.client.emit('work', { job: 1 }));
    await f.redis.xgroup('CREATE', stream, 'g', '0');
    await f.redis.xgroup('CREATE', stream, 'other', '0');
    for (const ghost of ['ghost-1', 'ghost-2', 'ghost-3']) {
      await f.redis.xreadgroup('GROUP', 'g', ghost, 'COUNT', 1, 'STREAMS', stream, '0'); // creates it, owns nothing
    }
    await f.redis.xreadgroup('GROUP', 'other', 'holder', 'COUNT', 1, 'STREAMS', stream, '>'); // owns the entry
    const names = async (group: string) => ((await f.redis.xinfo('CONSUMERS', stream, group)) as string[][]).map(c => c[1]);
    expect(await names('g')).toEqual(['ghost-1', 'ghost-2', 'ghost-3']);

    @Controller()
    class Worker {
      @EventPattern<string>('work')
      handle() {}
    }
    // Idle consumers go after 10 × claimIdleMs = 1 s; the topic is housekept every 200 ms.
    f.servers.push(await startServer([Worker], { prefix: f.prefix, group: 'g', consumer: 'live', claimIdleMs: 100, housekeepingIntervalMs: 200 }));
    await waitFor(async () => !(await names('g')).some(n => n.startsWith('ghost-')), 'the idle consumers removed', 10_000);
    expect(await names('other')).toEqual(['holder']);
  });

  it('should take a crashed peer’s message over within seconds even among many pairs', async () => {
    const crashed = await ChildConsumer.start({
      MQ_PREFIX: f.prefix, MQ_TOPIC: 'work', MQ_GROUP: 'g', MQ_CONSUMER: 'doomed', MQ_CLAIM_IDLE_MS: '500', MQ_HANDLER_MS: '60000',
    });
    children.push(crashed);
    const id = await lastValueFrom(f.client.emit('work', { job: 1 }));
    await waitFor(() => crashed.events.some(e => e.event === 'handling' && e.messageId === id), 'the child to start handling');

    @Controller()
    class Boot {
      @EventPattern<string>('boot')
      handle() {}
    }
    const survivor = await startServer([Boot], { prefix: f.prefix, group: 'g', consumer: 'survivor', claimIdleMs: 500 });
    f.servers.push(survivor);
    // 80 quiet pairs before the one that matters: the slow round robin (one visit per 500 ms)
    // would reach it only after ~40 s.
    for (let i = 0; i < 80; i++) await survivor.server.subscribe(`quiet-${i}`, () => undefined, { group: 'g', claimIdleMs: 500 });
    const taken: { id: string; attempt: number }[] = [];
    await survivor.server.subscribe(
      'work',
      (_d, ctx: RedisStreamsContext) => void taken.push({ id: ctx.getMessageId(), attempt: ctx.getAttempt() }),
      { group: 'g', claimIdleMs: 500 },
    );
    const killedAt = Date.now();
    await crashed.kill();
    await waitFor(() => taken.length === 1, 'the takeover', 30_000);
    expect(taken).toEqual([{ id, attempt: 2 }]);
    expect(Date.now() - killedAt).toBeLessThan(12_000); // peer timeout (5 s) + claimIdleMs + one fast round
  });
});
