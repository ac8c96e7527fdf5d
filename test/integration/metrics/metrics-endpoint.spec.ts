import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import {
  ClientRedisStreams,
  getRedisStreamsClientToken,
  REDIS_STREAMS_OBSERVER,
  RedisStreamsModule,
  ServerRedisStreams,
  UnrecoverableMessageError,
  type RedisStreamsModuleOptions,
} from '../../../lib/index.js';
import {
  QueueMetricsCollector,
  RedisStreamsMetricsObserver,
  withPrometheusMetrics,
  type RedisStreamsMetricsOptions,
} from '../../../lib/prometheus/index.js';
import { connection, deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { parsePrometheusText, valueOf, type Sample } from './prometheus-text.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('RedisStreamsModule metrics', () => {
  let prefix: string;
  let redis: Redis;
  let app: INestApplication | undefined;

  beforeEach(() => {
    prefix = randomPrefix();
    redis = inspector();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  /** `metrics: false`: the module without the Prometheus integration. */
  async function startApp(
    { metrics = {}, ...options }: RedisStreamsModuleOptions & { metrics?: RedisStreamsMetricsOptions | false },
    controllers: any[] = [],
    connectServer = true,
  ) {
    @Module({
      // prom-client's default registry is process-wide: default metrics would be registered twice.
      imports: [
        PrometheusModule.register({ defaultMetrics: { enabled: false } }),
        RedisStreamsModule.forRoot({
          connection: connection(),
          prefix,
          ...options,
          integrations: metrics === false ? [] : [withPrometheusMetrics(metrics)],
        }),
      ],
      controllers,
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false });
    if (connectServer) {
      app.connectMicroservice({ strategy: app.get(ServerRedisStreams) });
      await app.startAllMicroservices();
    }
    await app.init();
    return app;
  }

  async function scrape(): Promise<Sample[]> {
    const res = await request(app!.getHttpServer()).get('/metrics').expect(200);
    return parsePrometheusText(res.text);
  }

  it('should expose counters, histograms and queue gauges with topic, group and outcome labels after traffic', async () => {
    const topic = `orders-${prefix}`;
    @Controller()
    class Handlers {
      @EventPattern<string>(topic)
      handle(@Payload() data: { fail?: boolean }) {
        if (data.fail) throw new UnrecoverableMessageError('rejected');
      }
    }
    await startApp({ server: { group: 'billing', blockMs: 200 }, metrics: { gaugeIntervalMs: 100 } }, [Handlers]);
    const client = app!.get<ClientRedisStreams>(getRedisStreamsClientToken());
    for (let i = 0; i < 10; i++) await lastValueFrom(client.emit(topic, { i }));
    for (let i = 0; i < 2; i++) await lastValueFrom(client.emit(topic, { fail: true }));

    const g = { topic, group: 'billing' };
    const samples = (await waitFor(async () => {
      const s = await scrape();
      return valueOf(s, 'mq_messages_total', { ...g, outcome: 'acked' }) === 10 &&
        valueOf(s, 'mq_dead_letter_queue_size', { topic }) === 2 &&
        valueOf(s, 'mq_pending_messages', g) === 0
        ? s
        : undefined;
    }, 'metrics after traffic'))!;

    expect(valueOf(samples, 'mq_messages_total', { topic, group: '', outcome: 'published' })).toBe(12);
    expect(valueOf(samples, 'mq_messages_total', { ...g, outcome: 'consumed' })).toBe(12);
    expect(valueOf(samples, 'mq_messages_total', { ...g, outcome: 'dead_lettered' })).toBe(2);
    expect(valueOf(samples, 'mq_handler_duration_seconds_count', { ...g, outcome: 'acked' })).toBe(10);
    expect(valueOf(samples, 'mq_handler_duration_seconds_count', { ...g, outcome: 'dead_lettered' })).toBe(2);
    expect(valueOf(samples, 'mq_message_latency_seconds_count', g)).toBe(10);
    expect(valueOf(samples, 'mq_message_latency_seconds_bucket', { ...g, le: '+Inf' })).toBe(10);
    expect(valueOf(samples, 'mq_queue_size', { topic })).toBe(12);
    expect(valueOf(samples, 'mq_delayed_messages', { topic })).toBe(0);
    expect(valueOf(samples, 'mq_consumer_lag', g)).toBe(0);
    expect(valueOf(samples, 'mq_consumer_lag_seconds', g)).toBe(0);
    expect(valueOf(samples, 'mq_oldest_pending_age_seconds', g)).toBe(0);
    expect(valueOf(samples, 'mq_scheduled_retries', g)).toBe(0);
    expect(valueOf(samples, 'mq_consumers', g)).toBe(1);

    const ours = samples.filter(s => s.name.startsWith('mq_'));
    for (const s of ours) {
      expect(Object.keys(s.labels).every(k => ['topic', 'group', 'outcome', 'le', 'kind'].includes(k))).toBe(true);
      expect(Object.values(s.labels).some(v => UUID.test(v))).toBe(false);
    }
  });

  it('should report backlog, lag and oldest pending age of every group of a watched topic, also without consuming it', async () => {
    const topic = `backlog-${prefix}`;
    const stream = `${prefix}:{${topic}}`;
    const twoMinutesAgo = Date.now() - 120_000;
    await redis.xgroup('CREATE', stream, 'slow', '0', 'MKSTREAM');
    for (let i = 0; i < 5; i++) await redis.xadd(stream, `${twoMinutesAgo + i}-0`, 'n', String(i));
    await redis.xreadgroup('GROUP', 'slow', 'worker', 'COUNT', 2, 'STREAMS', stream, '>');
    await redis.zadd(`${stream}:delayed`, Date.now() + 60_000, 'later');

    await startApp({ server: false, metrics: { gaugeIntervalMs: 0, topics: [topic] } }, [], false);
    await app!.get(QueueMetricsCollector).refresh();
    const samples = await scrape();
    const g = { topic, group: 'slow' };
    expect(valueOf(samples, 'mq_queue_size', { topic })).toBe(5);
    expect(valueOf(samples, 'mq_delayed_messages', { topic })).toBe(1);
    expect(valueOf(samples, 'mq_pending_messages', g)).toBe(2);
    expect(valueOf(samples, 'mq_consumer_lag', g)).toBe(3);
    expect(valueOf(samples, 'mq_consumers', g)).toBe(1);
    const lagSeconds = valueOf(samples, 'mq_consumer_lag_seconds', g)!;
    expect(lagSeconds).toBeGreaterThanOrEqual(119);
    expect(lagSeconds).toBeLessThan(180);
    const oldestPending = valueOf(samples, 'mq_oldest_pending_age_seconds', g)!;
    expect(oldestPending).toBeGreaterThan(lagSeconds);

    // A deleted group stops reporting.
    await redis.xgroup('DESTROY', stream, 'slow');
    await app!.get(QueueMetricsCollector).refresh();
    expect(valueOf(await scrape(), 'mq_pending_messages', g)).toBeUndefined();
  });

  it('should hand the transport no metrics observer without the Prometheus integration', async () => {
    await startApp({ metrics: false, server: { group: 'billing' } }, [], false);
    expect(app!.get(REDIS_STREAMS_OBSERVER)).toBeNull();
    // Not provided at all: only the integration brings it.
    expect(() => app!.get(RedisStreamsMetricsObserver)).toThrow(/not found|Nest could not find/);
  });

  it('should hand the transport the metrics observer with the Prometheus integration', async () => {
    await startApp({ server: { group: 'billing' } }, [], false);
    expect(app!.get(REDIS_STREAMS_OBSERVER)).toBe(app!.get(RedisStreamsMetricsObserver));
  });
});
