import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import type { RedisStreamsObserver } from '../observer/redis-streams-observer.interface.js';
import { composeObservers } from './composite-redis-streams.observer.js';
import type { RedisStreamsIntegration } from './interfaces/redis-streams-integration.interface.js';
import type { RedisStreamsModuleExtras } from './interfaces/redis-streams-module-extras.interface.js';
import type { RedisStreamsModuleOptions } from './interfaces/redis-streams-module-options.interface.js';
import { clientProviders } from './redis-streams.providers.js';
import {
  DEFAULT_REDIS_STREAMS_CLIENT,
  getRedisStreamsClientToken,
  REDIS_STREAMS_MODULE_OPTIONS,
  REDIS_STREAMS_OBSERVER,
} from './redis-streams.tokens.js';

/**
 * `forRoot` / `forRootAsync` of `RedisStreamsModule`. The extras (`isGlobal`, `clients`,
 * `integrations`) are static because they decide which providers exist; everything else may come
 * from a factory.
 */
export const {
  ConfigurableModuleClass: RedisStreamsConfigurableModule,
  OPTIONS_TYPE: REDIS_STREAMS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REDIS_STREAMS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisStreamsModuleOptions>({
  optionsInjectionToken: REDIS_STREAMS_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<RedisStreamsModuleExtras>(
    { isGlobal: true, clients: [DEFAULT_REDIS_STREAMS_CLIENT], integrations: [] },
    (definition, extras) => {
      const names = [...new Set(extras.clients ?? [DEFAULT_REDIS_STREAMS_CLIENT])];
      const integrations = extras.integrations ?? [];
      return {
        ...definition,
        global: extras.isGlobal ?? true,
        imports: [...(definition.imports ?? []), ...integrations.flatMap(i => i.imports ?? [])],
        providers: [
          ...(definition.providers ?? []),
          ...clientProviders(names),
          ...integrations.flatMap(i => i.providers),
          observerProvider(integrations),
        ],
        exports: [
          ...(definition.exports ?? []),
          ...names.map(name => getRedisStreamsClientToken(name)),
          ...integrations.flatMap(i => i.exports ?? []),
        ],
      };
    },
  )
  .build();

/** The one observer the transport sees: the integrations' observers composed (`null` for none). */
function observerProvider(integrations: RedisStreamsIntegration[]): Provider {
  return {
    provide: REDIS_STREAMS_OBSERVER,
    useFactory: (...observers: (RedisStreamsObserver | null)[]) => composeObservers(...observers) ?? null,
    inject: integrations.flatMap(i => i.observers ?? []),
  };
}
