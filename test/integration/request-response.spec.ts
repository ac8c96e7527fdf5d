import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { ClientRedisStreams, RedisStreamsContext, RequestTimeoutError, ServerRedisStreams } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startClient, startServer } from '../helpers/nest.js';
import { connection } from '../helpers/redis.js';
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

    @MessagePattern<string>('fail.object')
    failObject() {
      failures.push('fail.object');
      throw new RpcException({ code: 'ACCOUNT_LOCKED', message: 'locked' });
    }

    @MessagePattern<string>('fail.plain')
    failPlain() {
      failures.push('fail.plain');
      throw new Error('database password is hunter2');
    }
  }
  const failures: string[] = [];
  beforeEach(() => failures.splice(0));

  /** Settled request: acked, nothing pending, retried or dead-lettered. */
  const expectAnsweredOnce = async (topic: string, group = 'default') => {
    const stream = `${f.prefix}:{${topic}}`;
    await waitFor(async () => ((await f.redis.xpending(stream, group)) as [number])[0] === 0, 'the request acked');
    expect(await f.redis.xlen(`${stream}:dlq`)).toBe(0);
    expect(await f.redis.zcard(`${stream}:retry:${group}`)).toBe(0);
  };

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

  it('should deliver an RpcException’s error object to the caller, answer once and ack', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix }));
    await expect(firstValueFrom(f.client.send('fail.object', {}))).rejects.toEqual({ code: 'ACCOUNT_LOCKED', message: 'locked' });
    await expectAnsweredOnce('fail.object');
    expect(failures).toEqual(['fail.object']);
  });

  it('should answer a plain Error as Nest’s exception filter shapes it, once, without retrying it', async () => {
    f.servers.push(await startServer([Calculator], { prefix: f.prefix }));
    await expect(firstValueFrom(f.client.send('fail.plain', {}))).rejects.toEqual({ status: 'error', message: 'Internal server error' });
    await expectAnsweredOnce('fail.plain');
    expect(failures).toEqual(['fail.plain']);
  });

  it('should deliver a raw request handler’s error to the caller at once, without retrying or dead-lettering it', async () => {
    const server = new ServerRedisStreams({ connection: connection(), prefix: f.prefix, blockMs: 200 });
    let calls = 0;
    server.addHandler('f', async () => {
      calls++;
      throw new Error('boom');
    }, false);
    await new Promise<void>((resolve, reject) => server.listen(err => (err ? reject(err) : resolve())));
    const patient = await startClient(f.prefix, { requestTimeoutMs: 20_000 });
    try {
      const t0 = Date.now();
      await expect(firstValueFrom(patient.send('f', {}))).rejects.toEqual({ status: 'error', message: 'boom' });
      expect(Date.now() - t0).toBeLessThan(5_000); // an answer, not the 20 s timeout
      await expectAnsweredOnce('f');
      expect(calls).toBe(1);
    } finally {
      await patient.close();
      await server.close();
    }
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
