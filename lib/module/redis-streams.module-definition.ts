import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisStreamsModuleExtras } from './interfaces/redis-streams-module-extras.interface.js';
import type { RedisStreamsModuleOptions } from './interfaces/redis-streams-module-options.interface.js';
import { clientProviders } from './redis-streams.providers.js';
import {
  DEFAULT_REDIS_STREAMS_CLIENT,
  getRedisStreamsClientToken,
  REDIS_STREAMS_MODULE_OPTIONS,
} from './redis-streams.tokens.js';

/**
 * `forRoot` / `forRootAsync` of `RedisStreamsModule`. The extras (`isGlobal`, `clients`) are
 * static because they decide which providers exist; everything else may come from a factory.
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
    { isGlobal: true, clients: [DEFAULT_REDIS_STREAMS_CLIENT] },
    (definition, extras) => {
      const names = [...new Set(extras.clients ?? [DEFAULT_REDIS_STREAMS_CLIENT])];
      return {
        ...definition,
        global: extras.isGlobal ?? true,
        providers: [...(definition.providers ?? []), ...clientProviders(names)],
        exports: [...(definition.exports ?? []), ...names.map(name => getRedisStreamsClientToken(name))],
      };
    },
  )
  .build();
