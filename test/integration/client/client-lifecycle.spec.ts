import { Controller, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, Ctx, EventPattern, type ClientProxy } from '@nestjs/microservices';
import { InvalidMessageException } from '@nestjs/microservices/errors/invalid-message.exception.js';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import {
  ClientRedisStreams,
  InvalidTopicError,
  RedisStreamsContext,
  redisStreamsClient,
  ServerRedisStreams,
} from '../../../lib/index.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startServer } from '../../helpers/nest.js';
import { connection } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';

describe('ClientRedisStreams lifecycle and Nest client behaviour', () => {
  const f = useRedisFixture();
  const ids = async (topic: string) =>
    (await f.redis.xrange(`${f.prefix}:{${topic}}`, '-', '+')).map(([, fields]) => fields[fields.indexOf('id') + 1]);

  describe('close()', () => {
    it('should connect again on the next emit(), send() or connect() after close(), as Nest clients do', async () => {
      const c = new ClientRedisStreams({ connection: connection(), prefix: f.prefix });
      const first = await lastValueFrom(c.emit('orders', { n: 1 }));
      await c.close();
      const second = await lastValueFrom(c.emit('orders', { n: 2 }));
      await c.close();
      await c.close(); // idempotent
      await c.connect();
      const third = await lastValueFrom(c.emit('orders', { n: 3 }));
      await c.close();
      expect(await ids('orders')).toEqual([first, second, third]);
    });

    it('should answer send() after close() through a new reply stream', async () => {
      const server = new ServerRedisStreams({ connection: connection(), prefix: f.prefix, blockMs: 200 });
      server.addHandler('echo', async (data: unknown) => data, false);
      await new Promise<void>((resolve, reject) => server.listen(err => (err ? reject(err) : resolve())));
      try {
        await expect(firstValueFrom(f.client.send('echo', { n: 1 }))).resolves.toEqual({ n: 1 });
        await f.client.close();
        await expect(firstValueFrom(f.client.send('echo', { n: 2 }))).resolves.toEqual({ n: 2 });
      } finally {
        await server.close();
      }
    });

    it('should deliver every emit of two apps built one after the other from one ClientsModule.register module', async () => {
      @Module({
        imports: [ClientsModule.register([redisStreamsClient('MQ', { connection: connection(), prefix: f.prefix })])],
      })
      class ProducerModule {}
      const run = async (n: number) => {
        const app: INestApplicationContext = await NestFactory.createApplicationContext(ProducerModule, { logger: false });
        await app.init();
        const client = app.get<ClientProxy>('MQ');
        const id = await lastValueFrom(client.emit('orders', { n }));
        await app.close(); // closes the client (ClientsModule's shutdown hook)
        return { client, id };
      };
      const a = await run(1);
      const b = await run(2);
      expect(b.client).toBeInstanceOf(ClientRedisStreams);
      expect(b.client).toBe(a.client); // the module's provider is one instance, closed by the first app
      expect(await ids('orders')).toEqual([a.id, b.id]);
    });
  });

  it('should share one connection wait among many emits before the connection is ready (no MaxListenersExceededWarning)', async () => {
    const c = new ClientRedisStreams({ connection: connection(), prefix: f.prefix });
    try {
      const pending = Array.from({ length: 50 }, (_, n) => lastValueFrom(c.emit('orders', { n })));
      // Every emit is waiting for the same connection now. An emitter warns above 10 listeners of
      // one event (jest's sandboxed `process` does not see that warning, so count the listeners).
      const redis = c.unwrap<{ status: string; listenerCount(e: string): number }>();
      expect(redis.status).not.toBe('ready');
      for (const event of ['ready', 'error', 'end']) expect(redis.listenerCount(event)).toBeLessThanOrEqual(3);
      expect(new Set(await Promise.all(pending)).size).toBe(50);
    } finally {
      await c.close();
    }
  });

  describe('invalid messages', () => {
    it('should error with Nest’s InvalidMessageException for a missing pattern or data, as Nest clients do', async () => {
      await expect(lastValueFrom(f.client.emit('orders', undefined))).rejects.toBeInstanceOf(InvalidMessageException);
      await expect(lastValueFrom(f.client.emit('orders', null))).rejects.toBeInstanceOf(InvalidMessageException);
      await expect(lastValueFrom(f.client.emit(undefined, { n: 1 }))).rejects.toBeInstanceOf(InvalidMessageException);
      await expect(firstValueFrom(f.client.send('orders', undefined))).rejects.toBeInstanceOf(InvalidMessageException);
      await expect(f.client.emitBatch('orders', [{ n: 1 }, undefined])).rejects.toBeInstanceOf(InvalidMessageException);
      expect(await f.redis.exists(`${f.prefix}:{orders}`)).toBe(0);
    });

    it('should reject a pattern that names no topic with InvalidTopicError, a Nest InvalidMessageException', async () => {
      const err = await lastValueFrom(f.client.emit('', { n: 1 })).catch(e => e);
      expect(err).toBeInstanceOf(InvalidTopicError);
      expect(err).toBeInstanceOf(InvalidMessageException);
      expect(err.message).toMatch(/Invalid topic ""/);
    });
  });

  describe('RedisStreamsContext#getMetadata', () => {
    it('should return the packet metadata a dispatch hook attached, and undefined without any', async () => {
      const seen: (Record<string, string> | undefined)[] = [];
      @Controller()
      class Handler {
        @EventPattern<string>('orders')
        handle(@Ctx() ctx: RedisStreamsContext) {
          seen.push(ctx.getMetadata());
        }
      }
      f.servers.push(await startServer([Handler], { prefix: f.prefix, startFrom: 'earliest' }));
      await lastValueFrom(f.client.emit('orders', { n: 1 }));
      f.client.setOnDispatchHook(packet => {
        packet.metadata = { 'trace-id': 't-1' };
      });
      await lastValueFrom(f.client.emit('orders', { n: 2 }));
      await waitFor(() => seen.length === 2, 'both messages');
      expect(seen).toEqual([undefined, { 'trace-id': 't-1' }]);
    });
  });
});
