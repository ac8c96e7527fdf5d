import { Module, type DynamicModule } from '@nestjs/common';
import { RedisStreamsAdmin } from '../admin/redis-streams-admin.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import {
  REDIS_STREAMS_ASYNC_OPTIONS_TYPE,
  REDIS_STREAMS_OPTIONS_TYPE,
  RedisStreamsConfigurableModule,
} from './redis-streams.module-definition.js';
import { REDIS_STREAMS_PROVIDERS } from './redis-streams.providers.js';
import { REDIS_STREAMS_OBSERVER } from './redis-streams.tokens.js';

/**
 * Wires the transport through DI: a `ServerRedisStreams` for hybrid apps
 * (`app.connectMicroservice({ strategy: app.get(ServerRedisStreams) })`), named
 * `ClientRedisStreams` (`@InjectRedisStreamsClient(name?)`) and `RedisStreamsAdmin`, all closed in
 * order on shutdown. Metrics, recording and health are `integrations` from the subpaths
 * (`withPrometheusMetrics()`, `withTypeOrmRecording()`, `withTerminusHealth()`); the transport only
 * sees one `RedisStreamsObserver` composed of theirs.
 * @publicApi
 */
@Module({
  providers: REDIS_STREAMS_PROVIDERS,
  exports: [ServerRedisStreams, RedisStreamsAdmin, REDIS_STREAMS_OBSERVER],
})
export class RedisStreamsModule extends RedisStreamsConfigurableModule {
  /** Configures the module with static options (and the `isGlobal` / `clients` extras). */
  static override forRoot(options: typeof REDIS_STREAMS_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }

  /** Configures the module from a factory, class or existing provider (extras stay static). */
  static override forRootAsync(options: typeof REDIS_STREAMS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return super.forRootAsync(options);
  }
}
