import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { RedisStreamsAdmin } from '../admin/redis-streams-admin.js';
import { ClientRedisStreams } from '../client/client-redis-streams.js';
import { DEFAULT_BACKOFF_DELAY_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_PREFIX } from '../constants.js';
import { RedisStreamsHealthIndicator } from '../health/redis-streams.health-indicator.js';
import { StreamKeys } from '../keys/stream-keys.js';
import { DEFAULT_GAUGE_INTERVAL_MS, MQ_PERSISTENCE_BUFFERED, MQ_PERSISTENCE_DROPPED_TOTAL, MQ_PERSISTENCE_WRITTEN_TOTAL } from '../metrics/metrics.constants.js';
import { QueueMetricsCollector, type ResolvedMetricsOptions } from '../metrics/queue-metrics.collector.js';
import { REDIS_STREAMS_METRIC_PROVIDERS } from '../metrics/redis-streams-metrics.providers.js';
import { RedisStreamsMetricsObserver } from '../metrics/redis-streams-metrics.observer.js';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import { ConsumptionRecorder, type RecorderDatabase } from '../persistence/consumption-recorder.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import { composeObservers } from './composite-redis-streams.observer.js';
import type { RedisStreamsModuleOptions } from './interfaces/redis-streams-module-options.interface.js';
import type { RedisStreamsModulePersistenceOptions } from './interfaces/redis-streams-module-persistence-options.interface.js';
import { RedisStreamsClientRegistry } from './redis-streams-client.registry.js';
import { RedisStreamsMonitor } from './redis-streams-monitor.js';
import { RedisStreamsLifecycle } from './redis-streams.lifecycle.js';
import {
  getRedisStreamsClientToken,
  REDIS_STREAMS_HEALTH_OPTIONS,
  REDIS_STREAMS_METRICS_OPTIONS,
  REDIS_STREAMS_MODULE_OPTIONS,
  REDIS_STREAMS_OBSERVER,
} from './redis-streams.tokens.js';

/** `metrics` option → resolved; metrics are on unless `false`. */
export function resolveMetricsOptions(options: RedisStreamsModuleOptions): ResolvedMetricsOptions {
  const metrics = options.metrics ?? true;
  const given = typeof metrics === 'object' ? metrics : {};
  return {
    enabled: metrics !== false,
    gaugeIntervalMs: given.gaugeIntervalMs ?? DEFAULT_GAUGE_INTERVAL_MS,
    topics: given.topics ?? [],
  };
}

/** The recorder, or `null` when persistence is off. Its DataSource is looked up at the first write. */
function createRecorder(
  options: RedisStreamsModuleOptions,
  moduleRef: ModuleRef,
  written: Counter<string>,
  dropped: Counter<string>,
  buffered: Gauge<string>,
): ConsumptionRecorder | null {
  if (!options.persistence) return null;
  const persistence: RedisStreamsModulePersistenceOptions = options.persistence === true ? {} : options.persistence;
  let database = persistence.dataSource;
  const lazy: RecorderDatabase = {
    query: (sql, parameters) => {
      // Looked up late: TypeOrmModule's DataSource may be created after this provider.
      database ??= moduleRef.get<RecorderDatabase>(getDataSourceToken(persistence.dataSourceName ?? 'default') as string, {
        strict: false,
      });
      return database.query(sql, parameters);
    },
  };
  const server = options.server === false ? undefined : options.server;
  const metricsOn = resolveMetricsOptions(options).enabled;
  return new ConsumptionRecorder(
    lazy,
    {
      ...persistence,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      subscriptionDefaults: {
        offsetResetPolicy: server?.startFrom,
        maxPollRecords: server?.batchSize,
        sessionTimeoutMs: server?.claimIdleMs,
        heartbeatIntervalMs: server?.blockMs,
        maxRetryAttempts: server?.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        retryDelayMs: server?.retry?.backoff?.delayMs ?? DEFAULT_BACKOFF_DELAY_MS,
        deadLetter: server?.deadLetter,
      },
    },
    metricsOn
      ? {
          onWritten: (kind, count) => written.inc({ kind }, count),
          onDropped: (kind, count) => dropped.inc({ kind }, count),
          onFlushed: stats => buffered.set(stats.buffered),
        }
      : {},
  );
}

/** One `ClientRedisStreams` provider per name of the `clients` extra. */
export function clientProviders(names: string[]): Provider[] {
  return names.map(name => ({
    provide: getRedisStreamsClientToken(name),
    useFactory: (
      options: RedisStreamsModuleOptions,
      observer: RedisStreamsObserver | null,
      registry: RedisStreamsClientRegistry,
    ) => {
      const own = options.clientOptions?.[name] ?? {};
      const client = new ClientRedisStreams({
        connection: options.connection,
        prefix: options.prefix,
        ...own,
        observer: composeObservers(observer, own.observer),
      });
      registry.clients.add(client);
      return client;
    },
    inject: [REDIS_STREAMS_MODULE_OPTIONS, REDIS_STREAMS_OBSERVER, RedisStreamsClientRegistry],
  }));
}

/** Every provider of `RedisStreamsModule` but the named clients. */
export const REDIS_STREAMS_PROVIDERS: Provider[] = [
  {
    provide: StreamKeys,
    useFactory: (options: RedisStreamsModuleOptions) => new StreamKeys(options.prefix ?? DEFAULT_PREFIX),
    inject: [REDIS_STREAMS_MODULE_OPTIONS],
  },
  {
    provide: RedisStreamsMonitor,
    useFactory: (options: RedisStreamsModuleOptions) => new RedisStreamsMonitor(options.connection),
    inject: [REDIS_STREAMS_MODULE_OPTIONS],
  },
  { provide: REDIS_STREAMS_METRICS_OPTIONS, useFactory: resolveMetricsOptions, inject: [REDIS_STREAMS_MODULE_OPTIONS] },
  {
    provide: REDIS_STREAMS_HEALTH_OPTIONS,
    useFactory: (options: RedisStreamsModuleOptions) => options.health ?? {},
    inject: [REDIS_STREAMS_MODULE_OPTIONS],
  },
  RedisStreamsClientRegistry,
  ...REDIS_STREAMS_METRIC_PROVIDERS,
  QueueMetricsCollector,
  RedisStreamsMetricsObserver,
  {
    provide: ConsumptionRecorder,
    useFactory: createRecorder,
    inject: [
      REDIS_STREAMS_MODULE_OPTIONS,
      ModuleRef,
      getToken(MQ_PERSISTENCE_WRITTEN_TOTAL),
      getToken(MQ_PERSISTENCE_DROPPED_TOTAL),
      getToken(MQ_PERSISTENCE_BUFFERED),
    ],
  },
  {
    provide: REDIS_STREAMS_OBSERVER,
    useFactory: (
      options: RedisStreamsModuleOptions,
      metrics: RedisStreamsMetricsObserver,
      recorder: ConsumptionRecorder | null,
    ) => composeObservers(resolveMetricsOptions(options).enabled ? metrics : null, recorder) ?? null,
    inject: [REDIS_STREAMS_MODULE_OPTIONS, RedisStreamsMetricsObserver, ConsumptionRecorder],
  },
  {
    provide: ServerRedisStreams,
    useFactory: (options: RedisStreamsModuleOptions, observer: RedisStreamsObserver | null) => {
      if (options.server === false) return null;
      const server = options.server ?? {};
      return new ServerRedisStreams({
        ...server,
        connection: options.connection,
        prefix: options.prefix,
        observer: composeObservers(observer, server.observer),
      });
    },
    inject: [REDIS_STREAMS_MODULE_OPTIONS, REDIS_STREAMS_OBSERVER],
  },
  {
    provide: RedisStreamsAdmin,
    useFactory: (options: RedisStreamsModuleOptions) =>
      new RedisStreamsAdmin({ connection: options.connection, prefix: options.prefix }),
    inject: [REDIS_STREAMS_MODULE_OPTIONS],
  },
  HealthIndicatorService,
  RedisStreamsHealthIndicator,
  RedisStreamsLifecycle,
];
