import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { RedisStreamsContext, RedisStreamsModule, ServerRedisStreams } from '../../../lib/index.js';
import { OutboxMetricsCollector } from '../../../lib/metrics/outbox-metrics.collector.js';
import { withPrometheusMetrics } from '../../../lib/prometheus/index.js';
import { RedisStreamsHealthIndicator, withTerminusHealth } from '../../../lib/terminus/index.js';
import { RedisStreamsInbox, RedisStreamsOutbox, withTypeOrmInbox, withTypeOrmOutbox } from '../../../lib/typeorm/index.js';
import { connection, deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { migratedDatabase, type FreshDatabase } from '../persistence/fresh-database.js';

describe('withTypeOrmOutbox / withTypeOrmInbox', () => {
  let prefix: string;
  let redis: Redis;
  let db: FreshDatabase & { dataSource: DataSource };
  let app: INestApplication | undefined;

  beforeEach(async () => {
    prefix = randomPrefix();
    redis = inspector();
    db = await migratedDatabase();
    await db.dataSource.query(`CREATE TABLE invoices (order_id int NOT NULL, message_id text NOT NULL)`);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await db.drop();
  });

  @Controller()
  class Billing {
    constructor(@Inject(RedisStreamsInbox) private readonly inbox: RedisStreamsInbox) {}

    @EventPattern<string>('orders')
    async onOrder(@Payload() order: { id: number }, @Ctx() ctx: RedisStreamsContext) {
      await this.inbox.run(ctx, manager =>
        manager.query(`INSERT INTO invoices (order_id, message_id) VALUES ($1, $2)`, [order.id, ctx.getMessageId()]),
      );
    }
  }

  async function start(): Promise<INestApplication> {
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: db.url, synchronize: false, poolSize: 4 }),
        RedisStreamsModule.forRoot({
          connection: connection(),
          prefix,
          server: { group: 'billing', blockMs: 200 },
          integrations: [
            withTypeOrmOutbox({ pollIntervalMs: 200 }),
            withTypeOrmInbox(),
            withTerminusHealth({ maxOutboxAgeMs: 60_000 }),
            withPrometheusMetrics({ gaugeIntervalMs: 0 }),
          ],
        }),
      ],
      controllers: [Billing],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
    app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
    await app.startAllMicroservices();
    await app.init();
    return app;
  }

  it('should relay messages written in a transaction to a handler that applies them once through the inbox', async () => {
    const nest = await start();
    const outbox = nest.get(RedisStreamsOutbox);
    const ids: string[] = [];
    for (const id of [1, 2, 3]) {
      ids.push(await db.dataSource.transaction(manager => outbox.emit(manager, 'orders', { id })));
    }
    await waitFor(async () => (await db.dataSource.query(`SELECT 1 FROM invoices`)).length === 3, 'three invoices');
    const invoices = await db.dataSource.query(`SELECT order_id, message_id FROM invoices ORDER BY order_id`);
    expect(invoices).toEqual(ids.map((id, i) => ({ order_id: i + 1, message_id: id })));
    expect(await nest.get(RedisStreamsInbox).has('billing', ids[0])).toBe(true);
  });

  it('should show the outbox backlog in the health report and the Prometheus gauges', async () => {
    const nest = await start();
    // A row the relay can never publish (its payload is not JSON), an hour old: it stays pending.
    await db.dataSource.query(
      `INSERT INTO message_outbox (message_id, topic, payload, created_at) VALUES (gen_random_uuid(), 'orders', 'not json', now() - interval '1 hour')`,
    );
    await waitFor(async () => (await db.dataSource.query(`SELECT attempts FROM message_outbox`))[0].attempts > 0, 'a failed relay attempt');
    const health = nest.get(RedisStreamsHealthIndicator);
    const report = await health.isHealthy('mq', { maxOutboxAgeMs: 60 * 60 * 1000 + 60_000 });
    expect(report.mq.status).toBe('up');
    expect(report.mq.outbox).toMatchObject({ relaying: true });
    const down = await health.isHealthy('mq', { maxOutboxAgeMs: 60_000 });
    expect(down.mq.status).toBe('down');
    expect(String(down.mq.message)).toMatch(/outbox: oldest unpublished message is \d+ ms old \(max 60000\)/);

    await nest.get(OutboxMetricsCollector).refresh();
    const pending = await register.getSingleMetric('mq_outbox_pending_messages')!.get();
    const age = await register.getSingleMetric('mq_outbox_oldest_pending_age_seconds')!.get();
    expect(pending.values[0].value).toBeGreaterThanOrEqual(1);
    expect(age.values[0].value).toBeGreaterThanOrEqual(3_600);
  });
});
