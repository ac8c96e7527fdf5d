import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { from, type Subscription } from 'rxjs';
import { ReplyInterruptedError, RedisStreamsContext } from '../../../lib/index.js';
import { ChildConsumer } from '../../helpers/child-consumer.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startServer } from '../../helpers/nest.js';
import { deferred, waitFor } from '../../helpers/wait.js';

/**
 * A streamed reply whose consumer is SIGKILLed mid-stream: another consumer of the group takes
 * the request over and runs the handler again. The caller must never get both attempts' values.
 */
describe('streamed replies across a takeover', () => {
  const f = useRedisFixture();
  const children: ChildConsumer[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(c => c.kill()));
  });

  const takeoverAttempts: number[] = [];
  @Controller()
  class Survivor {
    @MessagePattern<string>('report')
    report(@Ctx() ctx: RedisStreamsContext) {
      takeoverAttempts.push(ctx.getAttempt());
      return from(['B:1', 'B:2', 'B:3', 'B:4', 'B:5']);
    }
  }
  beforeEach(() => takeoverAttempts.splice(0));

  const startVictim = async (intervalMs: number) => {
    const child = await ChildConsumer.start(
      { MQ_PREFIX: f.prefix, MQ_TOPIC: 'report', MQ_GROUP: 'g', MQ_LABEL: 'A', MQ_VALUES: '5', MQ_INTERVAL_MS: String(intervalMs) },
      'test/fixtures/request-consumer-process.ts',
    );
    children.push(child);
    return child;
  };

  /** Subscribes to one send() and records everything it yields. */
  const observe = () => {
    const values: string[] = [];
    const settled = deferred<{ error?: unknown }>();
    const subscription: Subscription = f.client.send<string>('report', {}).subscribe({
      next: v => values.push(v),
      error: error => settled.resolve({ error }),
      complete: () => settled.resolve({}),
    });
    return { values, settled: settled.promise, subscription };
  };

  it('should interrupt the response, never mixing in the new attempt’s values, when values were already received', async () => {
    const victim = await startVictim(150);
    const call = observe();
    await waitFor(() => call.values.length >= 2, 'the first values of attempt 1');
    await victim.kill();
    f.servers.push(await startServer([Survivor], { prefix: f.prefix, group: 'g', claimIdleMs: 1_000 }));
    const { error } = await call.settled;
    await waitFor(() => takeoverAttempts.length === 1, 'the takeover to run the handler again');
    expect(takeoverAttempts).toEqual([2]);
    expect(call.values.length).toBeGreaterThanOrEqual(2);
    expect(call.values).toEqual(call.values.map((_, i) => `A:${i + 1}`)); // never A:1…A:n, B:1…
    expect(error).toBeInstanceOf(ReplyInterruptedError);
    expect(error).toMatchObject({ topic: 'report', attempt: 1, nextAttempt: 2, received: call.values.length });
  });

  it('should deliver the new attempt’s whole response when the crashed one had sent nothing', async () => {
    const victim = await startVictim(60_000);
    const call = observe();
    await waitFor(() => victim.events.some(e => e.event === 'handling'), 'attempt 1 to start');
    await victim.kill();
    f.servers.push(await startServer([Survivor], { prefix: f.prefix, group: 'g', claimIdleMs: 1_000 }));
    const { error } = await call.settled;
    expect(error).toBeUndefined();
    expect(call.values).toEqual(['B:1', 'B:2', 'B:3', 'B:4', 'B:5']);
    expect(takeoverAttempts).toEqual([2]);
  });
});
