import { ClientRedisStreams } from '../client/client-redis-streams.js';
import type { RedisStreamsClientOptions } from '../interfaces/redis-streams-client-options.interface.js';

/** A `ClientsModule.register([...])` entry for `ClientRedisStreams`, with typed options. */
export interface RedisStreamsClientRegistration {
  /** The injection token (`@Inject(name)`). */
  name: string | symbol;
  customClass: typeof ClientRedisStreams;
  options: RedisStreamsClientOptions;
}

/**
 * A `ClientsModule.register([...])` entry for `ClientRedisStreams`. Nest types a custom client's
 * options as `Record<string, any>`, so a typo (`conection`) would compile and be ignored; here the
 * options are `RedisStreamsClientOptions` and a typo fails to compile.
 *
 * @example
 * ClientsModule.register([redisStreamsClient('MQ', { connection: { host: '127.0.0.1', port: 6379 }, prefix: 'mq' })])
 * @publicApi
 */
export function redisStreamsClient(
  name: string | symbol,
  options: RedisStreamsClientOptions = {},
): RedisStreamsClientRegistration {
  return { name, customClass: ClientRedisStreams, options };
}
