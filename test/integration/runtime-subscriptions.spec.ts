import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, RedisStreamsContext, TopicFullError } from '../../lib/index.js';
import { startClient, startServer, type TestServer } from '../helpers/nest.js';
import { deletePrefix, inspector, randomPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('ServerRedisStreams runtime subscriptions', () => {
  let prefix: string;
  let redis: Redis;
  let client: ClientRedisStreams;
  let server: TestServer;

  @Controller()
  class Idle {
    @EventPattern<string>('boot')
    handle() {}
  }

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    client = await startClient(prefix);
    server = await startServer([Idle], { prefix });
  });

  afterEach(async () => {
    await server.close();
    await client.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('should consume a topic subscribed at run time, with retries, and stop after unsubscribe', async () => {
    const attempts: number[] = [];
    await server.server.subscribe(
      'hooks',
      (_data, ctx: RedisStreamsContext) => {
        attempts.push(ctx.getAttempt());
        if (ctx.getAttempt() === 1) throw new Error('first try fails');
      },
      { group: 'webhook-1', retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 20 } } },
    );
    await expect(server.server.subscribe('hooks', () => undefined, { group: 'webhook-1' })).rejects.toThrow(/already consumed/);
    await lastValueFrom(client.emit('hooks', { n: 1 }));
    await waitFor(() => attempts.length === 2, 'the retry');
    expect(attempts).toEqual([1, 2]);
    expect(server.server.getConsumerStates().map(s => `${s.topic}/${s.group}`)).toContain('hooks/webhook-1');

    await server.server.unsubscribe('hooks', 'webhook-1');
    expect(server.server.getConsumerStates().map(s => s.topic)).toEqual(['boot']);
    await lastValueFrom(client.emit('hooks', { n: 2 }));
    const [info] = (await redis.xinfo('GROUPS', `${prefix}:{hooks}`)) as unknown[][];
    expect(info[info.indexOf('lag') + 1]).toBe(1); // not consumed any more, still waiting for the group
  });

  it("should consume as the server's group when no group is given, and refuse a handler that is not a function", async () => {
    const seen: string[] = [];
    await server.server.subscribe('plain', (_data, ctx: RedisStreamsContext) => void seen.push(ctx.getGroup()));
    await lastValueFrom(client.emit('plain', { n: 1 }));
    await waitFor(() => seen.length === 1, 'the delivery');
    expect(seen).toEqual(['default']); // the server's group (startServer sets none: the default)
    await expect(server.server.subscribe('plain-2', undefined as never)).rejects.toThrow(/handler function/);
    expect(server.server.getConsumerStates().map(s => s.topic)).not.toContain('plain-2');
  });

  it('should settle a plain handler by the thenable it returns: ack once it resolves, retry when it rejects', async () => {
    const attempts: number[] = [];
    let release!: () => void;
    const thenable = (attempt: number): PromiseLike<void> => ({
      then(onFulfilled, onRejected) {
        const settled = new Promise<void>((resolve, reject) => {
          if (attempt === 1) setImmediate(() => reject(new Error('first try fails')));
          else release = resolve;
        });
        return settled.then(onFulfilled, onRejected);
      },
    });
    await server.server.subscribe(
      'hooks',
      (_data, ctx: RedisStreamsContext) => {
        attempts.push(ctx.getAttempt());
        return thenable(ctx.getAttempt());
      },
      { group: 'thenables', retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 20 } } },
    );
    await lastValueFrom(client.emit('hooks', { n: 1 }));
    await waitFor(() => attempts.length === 2 && release !== undefined, 'the retry');
    const pending = async () => ((await redis.xpending(`${prefix}:{hooks}`, 'thenables')) as [number])[0];
    expect(await pending()).toBe(1); // its thenable has not resolved: not acked
    release();
    await waitFor(async () => (await pending()) === 0, 'the ack');
    expect(attempts).toEqual([1, 2]);
  });

  it('should apply a policy change to a running consumer without restart', async () => {
    const calls: number[] = [];
    await server.server.subscribe(
      'hooks',
      (_d, ctx: RedisStreamsContext) => {
        calls.push(ctx.getAttempt());
        throw new Error('always');
      },
      { group: 'g', retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 20 } } },
    );
    server.server.updatePolicy('hooks', 'g', { retry: { maxAttempts: 1 } });
    await lastValueFrom(client.emit('hooks', { n: 1 }));
    await waitFor(async () => (await redis.xlen(`${prefix}:{hooks}:dlq`)) === 1, 'a dead letter after one attempt');
    expect(calls).toEqual([1]);
    server.server.updatePolicy('hooks', 'g', { deadLetter: false, retry: { maxAttempts: 1 } });
    await lastValueFrom(client.emit('hooks', { n: 2 }));
    await waitFor(() => calls.length === 2, 'second message');
    await waitFor(async () => ((await redis.xpending(`${prefix}:{hooks}`, 'g')) as [number])[0] === 0, 'dropped');
    expect(await redis.xlen(`${prefix}:{hooks}:dlq`)).toBe(1);
    expect(() => server.server.updatePolicy('nope', 'g', {})).toThrow(/No consumer/);
  });

  it('should ask a maxLen function at every publish', async () => {
    let limit: number | undefined = 1;
    const limited = await startClient(prefix, { maxLen: () => limit });
    try {
      await lastValueFrom(limited.emit('cap', { n: 1 }));
      await expect(lastValueFrom(limited.emit('cap', { n: 2 }))).rejects.toBeInstanceOf(TopicFullError);
      limit = undefined;
      await lastValueFrom(limited.emit('cap', { n: 3 }));
      expect(await redis.xlen(`${prefix}:{cap}`)).toBe(2);
    } finally {
      await limited.close();
    }
  });
});
