import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, RedisUnavailableError, ServerRedisStreams } from '../../lib/index.js';
import { startServer, type TestServer } from '../helpers/nest.js';
import { randomPrefix } from '../helpers/redis.js';
import { ChildConsumer } from '../helpers/child-consumer.js';
import { PrivateRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('Redis outages', () => {
  let redis: PrivateRedis;
  let server: TestServer | undefined;
  let client: ClientRedisStreams | undefined;

  beforeEach(async () => {
    redis = await PrivateRedis.start();
  });

  afterEach(async () => {
    await client?.close();
    await server?.close();
    await redis.stop();
  });

  it('should reject emit within 15 s while Redis is down, and resume consuming once it is back', async () => {
    const prefix = randomPrefix();
    const seen: unknown[] = [];
    @Controller()
    class Handler {
      @EventPattern<string>('events')
      handle(@Payload() data: unknown) {
        seen.push(data);
      }
    }
    server = await startServer([Handler], { prefix, group: 'g', connection: { url: redis.url } });
    const statuses: string[] = [];
    (server.server as ServerRedisStreams).status.subscribe(s => statuses.push(s));
    client = new ClientRedisStreams({ connection: { url: redis.url }, prefix });
    await lastValueFrom(client.emit('events', { n: 1 }));
    await waitFor(() => seen.length === 1, 'the first message');

    await redis.stop();
    const t0 = Date.now();
    const failure = await lastValueFrom(client.emit('events', { n: 2 })).catch(err => err);
    expect(failure).toBeInstanceOf(RedisUnavailableError);
    expect((failure as Error).message).toMatch(/Redis is unavailable .*not published/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await waitFor(() => statuses.includes('reconnecting'), 'the server to notice');

    await redis.start(); // a fresh, empty Redis on the same port: the group must be recreated
    await waitFor(() => statuses.at(-1) === 'connected', 'the server to reconnect', 15_000);
    await waitFor(
      async () => {
        await lastValueFrom(client!.emit('events', { n: 3 }));
        return seen.some(s => (s as { n: number }).n === 3);
      },
      'consumption to resume',
      20_000,
      500,
    );
    expect(seen).not.toContainEqual({ n: 2 });
  });

  it('should let the process end right after close() while Redis is down (no timer left behind)', async () => {
    const child = await ChildConsumer.start({ REDIS_URL: redis.url, MQ_PREFIX: randomPrefix() }, 'test/fixtures/close-on-sigterm-process.ts');
    await redis.stop();
    await waitFor(() => child.events.some(e => e.event === 'status' && e.status === 'reconnecting'), 'the child to notice');
    const exitedAt = await child.terminate();
    const closed = child.events.find(e => e.event === 'closed');
    expect(closed).toBeDefined();
    // ioredis' disconnect() of a socket already gone waits disconnectTimeout (2 s by default) for a
    // 'close' event that never comes, holding the process: it stayed up 2 s after close().
    expect(exitedAt - (closed!.receivedAt as number)).toBeLessThan(1_000);
  });

  it('should close within shutdownTimeoutMs while Redis is down', async () => {
    @Controller()
    class Handler {
      @EventPattern<string>('events')
      handle() {}
    }
    server = await startServer([Handler], { prefix: randomPrefix(), connection: { url: redis.url }, shutdownTimeoutMs: 500 });
    await redis.stop();
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    server = undefined;
  });
});
