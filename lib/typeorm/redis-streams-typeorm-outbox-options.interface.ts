import type { RedisStreamsClientOptions } from '../interfaces/redis-streams-client-options.interface.js';
import type { RedisStreamsInboxOptions } from '../persistence/inbox/interfaces/redis-streams-inbox-options.interface.js';
import type { RedisStreamsOutboxOptions } from '../persistence/outbox/interfaces/redis-streams-outbox-options.interface.js';

/** Options of `withTypeOrmOutbox()`: the outbox's options, its DataSource and its relay's client. */
export interface RedisStreamsTypeOrmOutboxOptions extends RedisStreamsOutboxOptions {
  /**
   * Name of the `@nestjs/typeorm` DataSource holding the `message_outbox` table (`REDIS_STREAMS_MIGRATIONS`).
   * @defaultValue 'default'
   */
  dataSourceName?: string;
  /**
   * Options of the relay's `ClientRedisStreams`, applied over the module's connection and prefix and
   * the default client's options (`clientOptions.default`: codec, encryption, limits). E.g.
   * `deduplicationWindowMs`: keep it longer than a relay can stay down between an XADD and its
   * commit (the inbox catches copies after it).
   * @defaultValue {}
   */
  clientOptions?: Omit<RedisStreamsClientOptions, 'connection' | 'prefix'>;
}

/** Options of `withTypeOrmInbox()`. */
export interface RedisStreamsTypeOrmInboxOptions extends RedisStreamsInboxOptions {
  /**
   * Name of the `@nestjs/typeorm` DataSource holding the `message_inbox` table; the effects run
   * in its transactions, so the application's tables must live there too.
   * @defaultValue 'default'
   */
  dataSourceName?: string;
}
