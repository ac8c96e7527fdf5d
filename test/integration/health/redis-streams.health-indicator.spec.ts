import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import {
  ClientRedisStreams,
  getRedisStreamsClientToken,
  RedisStreamsModule,
  ServerRedisStreams,
  UnrecoverableMessageError,
  type RedisStreamsModuleOptions,
} from '../../../lib/index.js';
import { RedisStreamsHealthIndicator, withTerminusHealth } from '../../../lib/terminus/index.js';
import { PrivateRedis } from '../../helpers/redis-server.js';
import { connection, deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { deferred, waitFor } from '../../helpers/wait.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mq: RedisStreamsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.mq.isHealthy('mq')]);
  }

  @Get('strict')
  @HealthCheck()
  strict() {
    return this.health.check([() => this.mq.isHealthy('mq', { maxDeadLetters: 0, maxOldestPendingAgeMs: 200 })]);
  }
}

describe(RedisStreamsHealthIndicator.name, () => {
  let prefix: string;
  let app: INestApplication | undefined;

  beforeEach(() => {
    prefix = randomPrefix();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function startApp(options: RedisStreamsModuleOptions, controllers: any[]) {
    @Module({
      imports: [TerminusModule.forRoot({ logger: false }), RedisStreamsModule.forRoot({ prefix, ...options, integrations: [withTerminusHealth()] })],
      controllers: [HealthController, ...controllers],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
    await app.startAllMicroservices();
    await app.init();
  }

  function health(path = '/health') {
    return request(app!.getHttpServer()).get(path);
  }

  describe('when Redis stops and comes back', () => {
    let redis: PrivateRedis;

    beforeEach(async () => {
      redis = await PrivateRedis.start();
    });

    afterEach(async () => {
      await app?.close();
      app = undefined;
      await redis.stop();
    });

    it('should report down while Redis is stopped and up again after', async () => {
      @Controller()
      class Handlers {
        @EventPattern<string>('orders')
        handle() {}
      }
      await startApp({ connection: { url: redis.url }, server: { group: 'billing', blockMs: 200 } }, [Handlers]);

      const up = await health().expect(200);
      expect(up.body.status).toBe('ok');
      expect(up.body.info.mq).toMatchObject({
        status: 'up',
        redis: 'up',
        consumers: [{ topic: 'orders', group: 'billing', alive: true }],
      });

      await redis.stop();
      const down = (await waitFor(async () => {
        const res = await health();
        return res.status === 503 ? res : undefined;
      }, 'a 503 while Redis is down'))!;
      expect(down.body.error.mq).toMatchObject({ status: 'down', redis: 'down' });
      expect(down.body.error.mq.message).toMatch(/Redis unreachable/);

      await redis.start();
      const back = (await waitFor(async () => {
        const res = await health();
        return res.status === 200 ? res : undefined;
      }, 'a 200 once Redis is back', 15_000))!;
      expect(back.body.info.mq).toMatchObject({ status: 'up', redis: 'up' });
    });
  });

  describe('with the shared Redis', () => {
    let inspect: Redis;

    beforeEach(() => {
      inspect = inspector();
    });

    afterEach(async () => {
      await app?.close();
      app = undefined;
      await deletePrefix(inspect, prefix);
      inspect.disconnect();
    });

    it('should report down once a dead letter or an old pending message crosses a threshold', async () => {
      const release = deferred();
      let slowStarted = false;
      @Controller()
      class Handlers {
        @EventPattern<string>('orders')
        async handle(@Payload() data: { kind: string }) {
          if (data.kind === 'poison') throw new UnrecoverableMessageError('poison');
          if (data.kind === 'slow') {
            slowStarted = true;
            await release.promise;
          }
        }
      }
      await startApp({ connection: connection(), server: { group: 'billing', blockMs: 200 } }, [Handlers]);
      const client = app!.get<ClientRedisStreams>(getRedisStreamsClientToken());
      await health('/health/strict').expect(200);

      await lastValueFrom(client.emit('orders', { kind: 'slow' }));
      await waitFor(() => slowStarted, 'the slow handler to start');
      const old = (await waitFor(async () => {
        const res = await health('/health/strict');
        return res.status === 503 ? res : undefined;
      }, 'down on an old pending message'))!;
      expect(old.body.error.mq.message).toMatch(/orders\/billing: oldest pending message is \d+ ms old \(max 200\)/);
      release.resolve();
      await waitFor(async () => (await health('/health/strict')).status === 200, 'up once it is acked');

      await lastValueFrom(client.emit('orders', { kind: 'poison' }));
      const dead = (await waitFor(async () => {
        const res = await health('/health/strict');
        return res.status === 503 ? res : undefined;
      }, 'down on a dead letter'))!;
      expect(dead.body.error.mq).toMatchObject({ deadLetters: { orders: 1 } });
      expect(dead.body.error.mq.message).toContain('orders: 1 dead letters (max 0)');
      // Without thresholds the same state is healthy.
      await health().expect(200);
    });

    it('should report down when a read loop is no longer alive', async () => {
      @Controller()
      class Handlers {
        @EventPattern<string>('orders')
        handle() {}
      }
      await startApp({ connection: connection(), server: { group: 'billing', blockMs: 200 } }, [Handlers]);
      await health().expect(200);
      await app!.get(ServerRedisStreams).close();
      const res = await health().expect(503);
      expect(res.body.error.mq.message).toContain('read loop not alive: orders/billing');
    });
  });
});
