import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ClientRedisStreams } from '../client/client-redis-streams.js';
import type { RedisStreamsIntegration } from '../module/interfaces/redis-streams-integration.interface.js';
import type { RedisStreamsModuleOptions } from '../module/interfaces/redis-streams-module-options.interface.js';
import { DEFAULT_REDIS_STREAMS_CLIENT, REDIS_STREAMS_MODULE_OPTIONS, REDIS_STREAMS_OBSERVER } from '../module/redis-streams.tokens.js';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import { REDIS_STREAMS_OUTBOX_STATS } from '../persistence/outbox/outbox-stats.js';
import { RedisStreamsOutbox } from '../persistence/outbox/redis-streams-outbox.js';
import type { RedisStreamsTypeOrmOutboxOptions } from './redis-streams-typeorm-outbox-options.interface.js';

/** The relay's own client (not one of the application's named clients: it is closed after the relay). */
const OUTBOX_CLIENT = 'REDIS_STREAMS_OUTBOX_CLIENT';

/** Starts the relay once the application is up; stops it, then its client, before TypeORM closes the DataSource. */
@Injectable()
class RedisStreamsOutboxLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(RedisStreamsOutbox) private readonly outbox: RedisStreamsOutbox,
    @Inject(OUTBOX_CLIENT) private readonly client: ClientRedisStreams,
  ) {}

  onApplicationBootstrap(): void {
    this.outbox.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.outbox.close();
    await this.client.close();
  }
}

/**
 * The transactional outbox for `RedisStreamsModule`: provides (and exports) `RedisStreamsOutbox`,
 * whose relay runs in every replica from application bootstrap to shutdown. Write messages with
 * `outbox.emit(manager, topic, data)` inside your TypeORM transactions. The table comes from
 * `REDIS_STREAMS_MIGRATIONS`. With `withPrometheusMetrics()` its backlog is exported
 * (`mq_outbox_pending_messages`, `mq_outbox_oldest_pending_age_seconds`); with `withTerminusHealth()`
 * the health report shows it (and `maxOutboxAgeMs` turns it into a threshold).
 *
 * ```ts
 * RedisStreamsModule.forRoot({ connection, integrations: [withTypeOrmOutbox(), withTypeOrmInbox()] }),
 * ```
 * @publicApi
 */
export function withTypeOrmOutbox(options: RedisStreamsTypeOrmOutboxOptions = {}): RedisStreamsIntegration {
  const { dataSourceName, clientOptions, ...outboxOptions } = options;
  return {
    providers: [
      {
        provide: OUTBOX_CLIENT,
        useFactory: (module: RedisStreamsModuleOptions, observer: RedisStreamsObserver | null) =>
          new ClientRedisStreams({
            connection: module.connection,
            prefix: module.prefix,
            // Same codec, encryption, limits and timeouts as the application's default client.
            ...module.clientOptions?.[DEFAULT_REDIS_STREAMS_CLIENT],
            ...clientOptions,
            observer: clientOptions?.observer ?? observer ?? undefined,
          }),
        inject: [REDIS_STREAMS_MODULE_OPTIONS, { token: REDIS_STREAMS_OBSERVER, optional: true }],
      },
      {
        provide: RedisStreamsOutbox,
        useFactory: (dataSource: DataSource, client: ClientRedisStreams) => new RedisStreamsOutbox(dataSource, client, outboxOptions),
        inject: [getDataSourceToken(dataSourceName ?? 'default'), OUTBOX_CLIENT],
      },
      // Read by the Prometheus gauges and the health indicator when those integrations are used too.
      { provide: REDIS_STREAMS_OUTBOX_STATS, useExisting: RedisStreamsOutbox },
      RedisStreamsOutboxLifecycle,
    ],
    exports: [RedisStreamsOutbox],
  };
}
