import type { Provider } from '@nestjs/common';
import { RedisStreamsAdmin } from '../admin/redis-streams-admin.js';
import { ClientRedisStreams } from '../client/client-redis-streams.js';
import { DEFAULT_PREFIX } from '../constants.js';
import { StreamKeys } from '../keys/stream-keys.js';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import { composeObservers } from './composite-redis-streams.observer.js';
import type { RedisStreamsModuleOptions } from './interfaces/redis-streams-module-options.interface.js';
import { RedisStreamsClientRegistry } from './redis-streams-client.registry.js';
import { RedisStreamsMonitor } from './redis-streams-monitor.js';
import { RedisStreamsLifecycle } from './redis-streams.lifecycle.js';
import { getRedisStreamsClientToken, REDIS_STREAMS_MODULE_OPTIONS, REDIS_STREAMS_OBSERVER } from './redis-streams.tokens.js';

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

/**
 * The providers of the core module (no integration): key map, monitoring connection, server,
 * admin and shutdown order. The named clients and the observer depend on the extras and are added
 * by the module definition.
 */
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
  RedisStreamsClientRegistry,
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
      // Dead letters are listed decoded (decrypted) with the server's payload options.
      new RedisStreamsAdmin({ connection: options.connection, prefix: options.prefix, payload: options.server ? options.server.payload : undefined }),
    inject: [REDIS_STREAMS_MODULE_OPTIONS],
  },
  RedisStreamsLifecycle,
];
