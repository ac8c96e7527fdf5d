import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import {
  ClientRedisStreams,
  getRedisStreamsClientToken,
  InjectRedisStreamsClient,
  REDIS_STREAMS_OBSERVER,
  RedisStreamsAdmin,
  RedisStreamsContext,
  RedisStreamsModule,
  ServerRedisStreams,
  CompositeRedisStreamsObserver,
} from '../../../lib/index.js';
import { RedisStreamsMetricsObserver, withPrometheusMetrics } from '../../../lib/prometheus/index.js';
import { RedisStreamsHealthIndicator, withTerminusHealth } from '../../../lib/terminus/index.js';
import { ConsumptionRecorder, REDIS_STREAMS_ENTITIES, withTypeOrmRecording } from '../../../lib/typeorm/index.js';
import { connection, deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { MIGRATIONS, createFreshDatabase, transportDataSource, type FreshDatabase } from '../persistence/fresh-database.js';

describe(RedisStreamsModule.name, () => {
  let prefix: string;
  let redis: Redis;
  let app: INestApplication | undefined;
  let db: FreshDatabase | undefined;

  beforeEach(() => {
    prefix = randomPrefix();
    redis = inspector();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await db?.drop();
    db = undefined;
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  async function hybrid(AppModule: any): Promise<INestApplication> {
    app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false });
    app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
    await app.startAllMicroservices();
    await app.init();
    return app;
  }

  function recording(seen: { topic: string; group: string; data: unknown }[]) {
    @Controller()
    class Handlers {
      @EventPattern<string>('orders')
      onOrder(@Payload() data: unknown, @Ctx() ctx: RedisStreamsContext) {
        seen.push({ topic: ctx.getTopic(), group: ctx.getGroup(), data });
      }

      @EventPattern<string>('audit')
      onAudit(@Payload() data: unknown, @Ctx() ctx: RedisStreamsContext) {
        seen.push({ topic: ctx.getTopic(), group: ctx.getGroup(), data });
      }
    }
    return Handlers;
  }

  describe('forRoot', () => {
    it('should provide the server for a hybrid app, named clients, the admin and the health indicator', async () => {
      @Injectable()
      class Producer {
        constructor(
          @InjectRedisStreamsClient() readonly orders: ClientRedisStreams,
          @InjectRedisStreamsClient('audit') readonly audit: ClientRedisStreams,
        ) {}
      }
      const seen: { topic: string; group: string; data: unknown }[] = [];
      @Module({
        imports: [
          RedisStreamsModule.forRoot({
            connection: connection(),
            prefix,
            server: { group: 'billing', blockMs: 200 },
            clients: ['default', 'audit'],
            integrations: [withPrometheusMetrics(), withTerminusHealth()],
          }),
        ],
        controllers: [recording(seen)],
        providers: [Producer],
      })
      class AppModule {}
      await hybrid(AppModule);

      const producer = app!.get(Producer);
      expect(producer.orders).toBeInstanceOf(ClientRedisStreams);
      expect(producer.audit).toBeInstanceOf(ClientRedisStreams);
      expect(producer.orders).not.toBe(producer.audit);
      expect(app!.get(getRedisStreamsClientToken('default'))).toBe(producer.orders);
      await lastValueFrom(producer.orders.emit('orders', { n: 1 }));
      await lastValueFrom(producer.audit.emit('audit', { n: 2 }));
      await waitFor(() => seen.length === 2, 'both deliveries');
      expect(seen).toEqual(
        expect.arrayContaining([
          { topic: 'orders', group: 'billing', data: { n: 1 } },
          { topic: 'audit', group: 'billing', data: { n: 2 } },
        ]),
      );

      const admin = app!.get(RedisStreamsAdmin);
      expect((await admin.listTopics()).map(t => t.topic).sort()).toEqual(['audit', 'orders']);
      expect(app!.get(RedisStreamsHealthIndicator)).toBeInstanceOf(RedisStreamsHealthIndicator);
      // Metrics without recording: the transport sees the metrics observer only.
      expect(app!.get(REDIS_STREAMS_OBSERVER)).toBe(app!.get(RedisStreamsMetricsObserver));
      expect(() => app!.get(ConsumptionRecorder)).toThrow();

      const orders = producer.orders;
      await app!.close();
      app = undefined;
      expect(await firstValueFrom(orders.status)).toBe('closed'); // closed with the app (a later emit would reconnect)
    });

    it('should provide no server when told so', async () => {
      @Module({ imports: [RedisStreamsModule.forRoot({ connection: connection(), prefix, server: false })] })
      class AppModule {}
      app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
      await app.init();
      expect(app.get(ServerRedisStreams)).toBeNull();
      expect(app.get(getRedisStreamsClientToken())).toBeInstanceOf(ClientRedisStreams);
    });
  });

  describe('forRootAsync with TypeORM recording', () => {
    it('should write consumption records through the TypeOrmModule DataSource', async () => {
      db = await createFreshDatabase();
      const seen: { topic: string; group: string; data: unknown }[] = [];
      @Module({
        imports: [
          TypeOrmModule.forRoot({
            type: 'postgres',
            url: db.url,
            entities: [...REDIS_STREAMS_ENTITIES],
            migrations: MIGRATIONS,
            migrationsRun: true,
          }),
          RedisStreamsModule.forRootAsync({
            useFactory: async () => ({
              connection: connection(),
              prefix,
              server: { group: 'billing', blockMs: 200, retry: { maxAttempts: 4 } },
            }),
            integrations: [withPrometheusMetrics(), withTypeOrmRecording({ flushIntervalMs: 50 })],
          }),
        ],
        controllers: [recording(seen)],
      })
      class AppModule {}
      await hybrid(AppModule);
      const client = app!.get<ClientRedisStreams>(getRedisStreamsClientToken());
      for (let i = 0; i < 20; i++) await lastValueFrom(client.emit('orders', { i }));
      await waitFor(() => seen.length === 20, '20 deliveries');

      const dataSource = app!.get(DataSource);
      await waitFor(
        async () => (await dataSource.query(`SELECT count(*)::int AS n FROM consumption_records WHERE status = 'success'`))[0].n === 20,
        '20 success records',
      );
      const subs = await dataSource.query(`SELECT consumer_group, max_retry_attempts, heartbeat_interval_ms FROM message_subscriptions ORDER BY 1`);
      // Both handlers' topics are registered at start-up, with the server's settings.
      expect(subs).toEqual([
        { consumer_group: 'billing', max_retry_attempts: 4, heartbeat_interval_ms: 200 },
        { consumer_group: 'billing', max_retry_attempts: 4, heartbeat_interval_ms: 200 },
      ]);
      expect(app!.get(REDIS_STREAMS_OBSERVER)).toBeInstanceOf(CompositeRedisStreamsObserver);
    });

    it('should write the last records on shutdown, before the DataSource closes', async () => {
      db = await createFreshDatabase();
      const seen: { topic: string; group: string; data: unknown }[] = [];
      @Module({
        imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: db.url, entities: [...REDIS_STREAMS_ENTITIES], migrations: MIGRATIONS, migrationsRun: true }),
          RedisStreamsModule.forRootAsync({
            useFactory: () => ({ connection: connection(), prefix, server: { group: 'billing', blockMs: 200 } }),
            integrations: [
              withTypeOrmRecording({
                inject: [DataSource],
                // No timer flush during the test: only the shutdown writes them.
                useFactory: (dataSource: DataSource) => ({ dataSource, flushIntervalMs: 600_000 }),
              }),
            ],
          }),
        ],
        controllers: [recording(seen)],
      })
      class AppModule {}
      await hybrid(AppModule);
      const dataSource = app!.get(DataSource);
      // Registration at start-up is the only early flush; let it finish first.
      await waitFor(async () => (await dataSource.query(`SELECT 1 FROM message_subscriptions`)).length === 2, 'registration');
      const client = app!.get<ClientRedisStreams>(getRedisStreamsClientToken());
      for (let i = 0; i < 5; i++) await lastValueFrom(client.emit('orders', { i }));
      await waitFor(() => seen.length === 5, '5 deliveries');
      const recorder = app!.get(ConsumptionRecorder);
      await waitFor(() => recorder.getStats().buffered === 5, '5 buffered records');
      await app!.close();
      app = undefined;

      const check = transportDataSource(db.url);
      await check.initialize();
      try {
        const [{ n }] = await check.query(`SELECT count(*)::int AS n FROM consumption_records`);
        expect(n).toBe(5);
      } finally {
        await check.destroy();
      }
    });
  });
});

describe(CompositeRedisStreamsObserver.name, () => {
  it('should call every observer, and keep going when one throws', () => {
    const calls: string[] = [];
    const composite = new CompositeRedisStreamsObserver([
      { onMessagePublished: () => { throw new Error('broken'); } },
      { onMessagePublished: e => calls.push(`b:${e.topic}`), onConsumerStarted: e => calls.push(`b:start:${e.group}`) },
      {},
    ]);
    const event = { topic: 't', messageId: 'm', entryId: '1-0', publishedAt: 1, headers: {}, payloadSize: 0 };
    expect(() => composite.onMessagePublished(event)).not.toThrow();
    composite.onConsumerStarted({ topic: 't', group: 'g', consumer: 'c' });
    composite.onMessageSettled({
      topic: 't', group: 'g', consumer: 'c', messageId: 'm', entryId: '1-0', attempt: 1, outcome: 'acked', durationMs: 1, publishedAt: 1,
    });
    expect(calls).toEqual(['b:t', 'b:start:g']);
  });
});
