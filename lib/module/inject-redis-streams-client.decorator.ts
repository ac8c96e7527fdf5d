import { Inject } from '@nestjs/common';
import { getRedisStreamsClientToken } from './redis-streams.tokens.js';

/**
 * Injects a `ClientRedisStreams` of `RedisStreamsModule` by name.
 * @param name - one of the module's `clients`. @defaultValue 'default'
 * @publicApi
 */
export const InjectRedisStreamsClient = (name?: string): PropertyDecorator & ParameterDecorator =>
  Inject(getRedisStreamsClientToken(name));
