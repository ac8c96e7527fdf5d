import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DEFAULT_BACKOFF_DELAY_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_PREFIX } from '../constants.js';
import type { RedisStreamsIntegration } from '../module/interfaces/redis-streams-integration.interface.js';
import type { RedisStreamsModuleOptions } from '../module/interfaces/redis-streams-module-options.interface.js';
import { REDIS_STREAMS_MODULE_OPTIONS, REDIS_STREAMS_RECORDER_HOOKS } from '../module/redis-streams.tokens.js';
import { ConsumptionRecorder, type RecorderDatabase, type RecorderHooks } from '../persistence/consumption-recorder.js';
import { RedisStreamsRecorderLifecycle } from './redis-streams-recorder.lifecycle.js';
import type { RedisStreamsTypeOrmAsyncOptions, RedisStreamsTypeOrmOptions } from './redis-streams-typeorm-options.interface.js';

/** The resolved options of `withTypeOrmRecording()`. */
const REDIS_STREAMS_TYPEORM_OPTIONS = 'REDIS_STREAMS_TYPEORM_OPTIONS';

/**
 * Consumption records (and, opt-in, message records) in PostgreSQL through TypeORM for
 * `RedisStreamsModule`, written in batches off the hot path; the last ones are written on shutdown,
 * before the DataSource closes. The tables come from `REDIS_STREAMS_MIGRATIONS`.
 *
 * ```ts
 * TypeOrmModule.forRoot({ ..., entities: [...REDIS_STREAMS_ENTITIES], migrations: [...REDIS_STREAMS_MIGRATIONS], migrationsRun: true }),
 * RedisStreamsModule.forRoot({ connection, integrations: [withTypeOrmRecording({ recordMessages: true })] }),
 * ```
 * Provides (and exports) `ConsumptionRecorder`. With `withPrometheusMetrics()` too, its counters
 * (`mq_persistence_*`) are kept.
 * @param options - the recorder's options, or `{ imports?, inject?, useFactory }` to make them. @defaultValue {}
 * @publicApi
 */
export function withTypeOrmRecording(
  options: RedisStreamsTypeOrmOptions | RedisStreamsTypeOrmAsyncOptions = {},
): RedisStreamsIntegration {
  const optionsProvider: Provider =
    'useFactory' in options
      ? { provide: REDIS_STREAMS_TYPEORM_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }
      : { provide: REDIS_STREAMS_TYPEORM_OPTIONS, useValue: options };
  return {
    imports: 'useFactory' in options ? (options.imports ?? []) : [],
    providers: [
      optionsProvider,
      {
        provide: ConsumptionRecorder,
        useFactory: createRecorder,
        inject: [
          REDIS_STREAMS_TYPEORM_OPTIONS,
          REDIS_STREAMS_MODULE_OPTIONS,
          ModuleRef,
          { token: REDIS_STREAMS_RECORDER_HOOKS, optional: true },
        ],
      },
      RedisStreamsRecorderLifecycle,
    ],
    exports: [ConsumptionRecorder],
    observers: [ConsumptionRecorder],
  };
}

/** The recorder, with its subscription settings from the module's server options. */
function createRecorder(
  persistence: RedisStreamsTypeOrmOptions,
  options: RedisStreamsModuleOptions,
  moduleRef: ModuleRef,
  hooks: RecorderHooks | undefined,
): ConsumptionRecorder {
  let database = persistence.dataSource;
  // Looked up late: TypeOrmModule's DataSource may be created after this provider.
  const resolve = (): RecorderDatabase =>
    (database ??= moduleRef.get<RecorderDatabase>(getDataSourceToken(persistence.dataSourceName ?? 'default') as string, {
      strict: false,
    }));
  const lazy: RecorderDatabase = {
    query: (sql, parameters) => resolve().query(sql, parameters),
    // The DataSource itself, so the recorder can write consumption records with COPY on its pool.
    unwrap: resolve,
  };
  const server = options.server === false ? undefined : options.server;
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
    hooks ?? {},
  );
}
