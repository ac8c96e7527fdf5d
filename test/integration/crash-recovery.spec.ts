import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, RedisStreamsContext } from '../../lib/index.js';
import { ChildConsumer } from '../helpers/child-consumer.js';
import { startClient, startServer, type TestServer } from '../helpers/nest.js';
import { deletePrefix, inspector, randomPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('ServerRedisStreams crash recovery', () => {
  let prefix: string;
  let redis: Redis;
  let client: ClientRedisStreams;
  const servers: TestServer[] = [];
  const children: ChildConsumer[] = [];

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    client = await startClient(prefix);
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map(c => c.kill()));
    await Promise.all(servers.splice(0).map(s => s.close()));
    await client.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const pendingCount = async () => ((await redis.xpending(`${prefix}:{work}`, 'g')) as [number])[0];

  it('should hand a SIGKILLed consumer’s message to another consumer after claimIdleMs, as attempt ≥ 2', async () => {
    const crashed = await ChildConsumer.start({
      MQ_PREFIX: prefix, MQ_TOPIC: 'work', MQ_GROUP: 'g', MQ_CONSUMER: 'doomed', MQ_CLAIM_IDLE_MS: '800', MQ_HANDLER_MS: '60000',
    });
    children.push(crashed);
    const id = await lastValueFrom(client.emit('work', { job: 1 }));
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
    servers.push(await startServer([Survivor], { prefix, group: 'g', consumer: 'survivor', claimIdleMs: 800 }));
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
    servers.push(await startServer([make()], { prefix, group: 'g', consumer: 'one', claimIdleMs: 300 }));
    servers.push(await startServer([make()], { prefix, group: 'g', consumer: 'two', claimIdleMs: 300 }));
    const id = await lastValueFrom(client.emit('work', { job: 1 }));
    await waitFor(() => handled.length >= 1, 'first handling');
    await waitFor(async () => (await pendingCount()) === 0, 'the slow handler to finish and ack', 10_000);
    expect(handled).toEqual([{ id, attempt: 1, consumer: handled[0].consumer }]);
  });
});
