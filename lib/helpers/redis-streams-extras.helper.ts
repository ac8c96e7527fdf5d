import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';

/**
 * Per-handler options for `@EventPattern(topic, extras)`, type-checked. Nest types extras as
 * `Record<string, any>`, so a typo (`retyr`) would compile and be ignored; passed through this
 * function, it fails to compile. Returns `extras` unchanged.
 *
 * @example
 * \@EventPattern<string>('order.created', redisStreamsExtras({ group: 'billing', retry: { maxAttempts: 3 } }))
 * @publicApi
 */
export function redisStreamsExtras(extras: RedisStreamsHandlerExtras): RedisStreamsHandlerExtras {
  return extras;
}
