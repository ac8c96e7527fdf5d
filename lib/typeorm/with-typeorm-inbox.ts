import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RedisStreamsIntegration } from '../module/interfaces/redis-streams-integration.interface.js';
import { RedisStreamsInbox } from '../persistence/inbox/redis-streams-inbox.js';
import type { RedisStreamsTypeOrmInboxOptions } from './redis-streams-typeorm-outbox-options.interface.js';

/** Prunes the inbox while the application runs. */
@Injectable()
class RedisStreamsInboxLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(RedisStreamsInbox) private readonly inbox: RedisStreamsInbox) {}

  onApplicationBootstrap(): void {
    this.inbox.start();
  }

  beforeApplicationShutdown(): void {
    this.inbox.close();
  }
}

/**
 * The idempotent inbox for `RedisStreamsModule`: provides (and exports) `RedisStreamsInbox`; a
 * handler runs its effect with `inbox.run(ctx, manager => …)` to apply it once per group and
 * message id. Rows are pruned after `retentionMs`. The table comes from `REDIS_STREAMS_MIGRATIONS`.
 * @publicApi
 */
export function withTypeOrmInbox(options: RedisStreamsTypeOrmInboxOptions = {}): RedisStreamsIntegration {
  const { dataSourceName, ...inboxOptions } = options;
  return {
    providers: [
      {
        provide: RedisStreamsInbox,
        useFactory: (dataSource: DataSource) => new RedisStreamsInbox(dataSource, inboxOptions),
        inject: [getDataSourceToken(dataSourceName ?? 'default')],
      },
      RedisStreamsInboxLifecycle,
    ],
    exports: [RedisStreamsInbox],
  };
}
