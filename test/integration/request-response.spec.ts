import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { ClientRedisStreams, RedisStreamsContext, RequestTimeoutError } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startClient, startServer } from '../helpers/nest.js';
import { waitFor } from '../helpers/wait.js';

describe('request/response (@MessagePattern + client.send)', () => {
  const f = useRedisFixture();

  @Controller()
  class Calculator {
    @MessagePattern<string>('sum')
    sum(@Payload() { a, b }: { a: number; b: number }, @Ctx() ctx: RedisStreamsContext) {
      return { total: a + b, group: ctx.getGroup() };
    }

    @MessagePattern<string>('count')
    count(@Payload() n: number) {
      return from(Array.from({ length: n }, (_, i) => i));
    }

    @MessagePattern<string>('fail')
    fail() {
      throw new RpcException('no such account');
    }
  }

  it('should answer a request through the caller’s private reply stream', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix, group: 'math' }));
    await expect(firstValueFrom(f.client.send('sum', { a: 2, b: 3 }))).resolves.toEqual({ total: 5, group: 'math' });
    await waitFor(async () => ((await f.redis.xpending(`${f.prefix}:{sum}`, 'math')) as [number])[0] === 0, 'the request acked');
  });

  it('should stream every value of an Observable response', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix }));
    await expect(lastValueFrom(f.client.send('count', 4).pipe(toArray()))).resolves.toEqual([0, 1, 2, 3]);
  });

  it('should deliver the handler’s error to the caller', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix }));
    await expect(firstValueFrom(f.client.send('fail', {}))).rejects.toMatchObject({ message: 'no such account' });
  });

  it('should time out when nobody answers', async () => {
    const impatient = await startClient(f.prefix, { requestTimeoutMs: 200 });
    try {
      const err = await firstValueFrom(impatient.send('nobody.home', {})).catch(e => e);
      expect(err).toBeInstanceOf(RequestTimeoutError);
    } finally {
      await impatient.close();
    }
  });

  it('should never deliver a reply to another client instance, and delete its reply stream on close', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix }));
    const other: ClientRedisStreams = await startClient(f.prefix);
    const ask = (c: ClientRedisStreams, base: number) =>
      Promise.all(Array.from({ length: 50 }, (_, i) => firstValueFrom(c.send('sum', { a: base, b: i })))) as Promise<{ total: number }[]>;
    const [mine, theirs] = await Promise.all([ask(f.client, 0), ask(other, 1000)]);
    expect(mine.map(r => r.total)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(theirs.map(r => r.total)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    const replyKeys = await f.redis.keys(`${f.prefix}:{__replies__.*`);
    expect(replyKeys).toHaveLength(2);
    expect(await f.redis.pttl(replyKeys[0])).toBeGreaterThan(0);
    await other.close();
    expect(await f.redis.keys(`${f.prefix}:{__replies__.*`)).toHaveLength(1);
  });
});
