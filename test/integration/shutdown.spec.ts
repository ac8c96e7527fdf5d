import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, ServerRedisStreams } from '../../lib/index.js';
import type { RedisConnection } from '../../lib/connection/create-redis-connection.js';
import { startClient, startServer } from '../helpers/nest.js';
import { connection, deletePrefix, inspector, randomPrefix } from '../helpers/redis.js';
import { deferred, waitFor } from '../helpers/wait.js';

describe('ServerRedisStreams graceful shutdown', () => {
  let prefix: string;
  let redis: Redis;
  let client: ClientRedisStreams;

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    client = await startClient(prefix);
  });

  afterEach(async () => {
    await client.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const stream = () => `${prefix}:{work}`;
  const pendingCount = async () => ((await redis.xpending(stream(), 'g')) as [number])[0];
  const consumers = async () => (await redis.xinfo('CONSUMERS', stream(), 'g')) as unknown[];

  it('should let in-flight handlers finish, ack them, and remove the idle consumer', async () => {
    const release = deferred();
    let started = 0;
    let finished = 0;
    @Controller()
    class Busy {
      @EventPattern<string>('work')
      async handle() {
        started++;
        await release.promise;
        finished++;
      }
    }
    const { server, close } = await startServer([Busy], { prefix, group: 'g' });
    await Promise.all(Array.from({ length: 5 }, (_, i) => lastValueFrom(client.emit('work', { i }))));
    await waitFor(() => started === 5, 'five handlers running');
    const closing = close();
    const again = server.close(); // idempotent
    expect(await pendingCount()).toBe(5);
    release.resolve();
    await Promise.all([closing, again]);
    expect(finished).toBe(5);
    expect(await pendingCount()).toBe(0);
    expect(await consumers()).toEqual([]);
  });

  it('should keep a consumer that still owns pending entries (a retry waiting)', async () => {
    let calls = 0;
    @Controller()
    class Fails {
      @EventPattern<string>('work', { retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 60_000 } } })
      handle() {
        calls++;
        throw new Error('later');
      }
    }
    const { close } = await startServer([Fails], { prefix, group: 'g', consumer: 'keeper' });
    await lastValueFrom(client.emit('work', { n: 1 }));
    await waitFor(async () => (await redis.zcard(`${stream()}:retry:g`)) === 1, 'a scheduled retry');
    await close();
    expect(calls).toBe(1);
    expect(await pendingCount()).toBe(1);
    const [info] = (await consumers()) as string[][];
    expect(info[1]).toBe('keeper');
  });

  it('should stop waiting after shutdownTimeoutMs and leave the message pending for takeover', async () => {
    const never = deferred();
    let started = 0;
    @Controller()
    class Hangs {
      @EventPattern<string>('work')
      async handle() {
        started++;
        await never.promise;
      }
    }
    const { close } = await startServer([Hangs], { prefix, group: 'g', shutdownTimeoutMs: 300 });
    await lastValueFrom(client.emit('work', { n: 1 }));
    await waitFor(() => started === 1, 'the handler to start');
    const t0 = Date.now();
    await close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await pendingCount()).toBe(1);
    expect(await consumers()).toHaveLength(1);
    never.resolve();
  });

  it('should close right after listen without waiting for a blocked read to time out', async () => {
    @Controller()
    class Idle {
      @EventPattern<string>('work')
      handle() {}
    }
    const { close } = await startServer([Idle], { prefix, group: 'g', blockMs: 8_000 });
    const t0 = Date.now();
    await close();
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('should open no second connection when listen() is called twice, and close every one', async () => {
    const server = new ServerRedisStreams({ connection: connection(), prefix, blockMs: 500 });
    const listen = () => new Promise<void>((resolve, reject) => server.listen(err => (err ? reject(err) : resolve())));
    await listen();
    const [first] = server.unwrap<RedisConnection[]>();
    await listen();
    expect(server.unwrap<RedisConnection[]>()[0]).toBe(first);
    await server.close();
    await waitFor(() => server.unwrap<RedisConnection[]>().every(c => c.status === 'end') && first.status === 'end', 'every connection closed');
  });
});
