// The integrations app: the root plus the ./typeorm, ./prometheus and ./terminus subpaths in one
// hybrid Nest app. Runs the shipped migrations on a fresh database (DATABASE_URL), carries two
// messages (one acked, one dead-lettered) and checks the consumption records, the Prometheus text and
// the health check; then reverts every migration. Exits 0 on success.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import {
  ClientRedisStreams,
  getRedisStreamsClientToken,
  RedisStreamsContext,
  RedisStreamsModule,
  ServerRedisStreams,
  UnrecoverableMessageError,
} from 'nestjs-redis-streams-transport';
import { withPrometheusMetrics } from 'nestjs-redis-streams-transport/prometheus';
import { RedisStreamsHealthIndicator, withTerminusHealth } from 'nestjs-redis-streams-transport/terminus';
import {
  ConsumptionRecorder,
  REDIS_STREAMS_ENTITIES,
  REDIS_STREAMS_MIGRATIONS,
  withTypeOrmRecording,
} from 'nestjs-redis-streams-transport/typeorm';
import { deletePrefix, until } from './e2e-helpers.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env.DATABASE_URL;
const prefix = `pkgtest-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

@Controller()
class Handlers {
  @EventPattern<string>('payments')
  onPayment(@Payload() payment: { id: string }, @Ctx() ctx: RedisStreamsContext): void {
    if (payment.id === 'poison') throw new UnrecoverableMessageError(`payment ${payment.id} at attempt ${ctx.getAttempt()}`);
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: databaseUrl,
      entities: [...REDIS_STREAMS_ENTITIES],
      migrations: [...REDIS_STREAMS_MIGRATIONS],
      migrationsRun: true,
    }),
    PrometheusModule.register({ defaultMetrics: { enabled: false } }),
    TerminusModule.forRoot({ logger: false }),
    RedisStreamsModule.forRoot({
      connection: { url: redisUrl },
      prefix,
      server: { group: 'ledger', blockMs: 200 },
      integrations: [withPrometheusMetrics({ gaugeIntervalMs: 0 }), withTypeOrmRecording({ flushIntervalMs: 50 }), withTerminusHealth()],
    }),
  ],
  controllers: [Handlers],
})
class AppModule {}

async function main(): Promise<void> {
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const dataSource = app.get(DataSource);
  try {
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    const shipped = REDIS_STREAMS_MIGRATIONS.map(m => new m().name);
    if (JSON.stringify(applied.map(a => a.name)) !== JSON.stringify(shipped)) {
      throw new Error(`migrations applied: ${JSON.stringify(applied)}, shipped: ${JSON.stringify(shipped)}`);
    }

    const client = app.get<ClientRedisStreams>(getRedisStreamsClientToken());
    await lastValueFrom(client.emit('payments', { id: 'p-1' }));
    await lastValueFrom(client.emit('payments', { id: 'poison' }));
    const statuses = await until('two consumption records', async () => {
      const rows: { status: string }[] = await dataSource.query('SELECT status FROM consumption_records ORDER BY status');
      return rows.length >= 2 ? rows.map(r => r.status) : undefined;
    });
    if (JSON.stringify(statuses) !== '["dead_letter","success"]') throw new Error(`records: ${JSON.stringify(statuses)}`);
    if (app.get(ConsumptionRecorder).getStats().written.consumption < 2) throw new Error('recorder stats');

    const url = `${await app.getUrl()}/metrics`.replace('[::1]', '127.0.0.1');
    const metrics = await until('mq_messages_total in /metrics', async () => {
      const text = await (await fetch(url)).text();
      return /mq_messages_total\{[^}]*outcome="acked"[^}]*\} 1/.test(text) && /mq_persistence_records_written_total\{kind="consumption"\} [1-9]/.test(text)
        ? text
        : undefined;
    });
    const health = await app.get(RedisStreamsHealthIndicator).isHealthy('mq');
    if (health.mq.status !== 'up') throw new Error(`health: ${JSON.stringify(health)}`);
    console.log(
      `ok: ${shipped.length} migrations applied, records ${statuses.join(' + ')}, ${metrics.split('\n').length} metric lines, health up`,
    );
  } finally {
    await app.close();
    await deletePrefix(redisUrl, prefix);
  }

  // The migrations' down(): every table goes again.
  const check = new DataSource({ type: 'postgres', url: databaseUrl, migrations: [...REDIS_STREAMS_MIGRATIONS] });
  await check.initialize();
  try {
    for (let i = 0; i < REDIS_STREAMS_MIGRATIONS.length; i++) await check.undoLastMigration();
    const left: unknown[] = await check.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
    );
    if (left.length) throw new Error(`tables left after reverting: ${JSON.stringify(left)}`);
    console.log(`ok: ${REDIS_STREAMS_MIGRATIONS.length} migrations reverted`);
  } finally {
    await check.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
