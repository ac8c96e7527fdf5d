import { HealthIndicatorService } from '@nestjs/terminus';
import type { RedisStreamsHealthOptions } from '../health/interfaces/redis-streams-health-options.interface.js';
import { RedisStreamsHealthIndicator } from '../health/redis-streams.health-indicator.js';
import type { RedisStreamsIntegration } from '../module/interfaces/redis-streams-integration.interface.js';
import { REDIS_STREAMS_HEALTH_OPTIONS } from '../module/redis-streams.tokens.js';

/**
 * The Terminus health indicator for `RedisStreamsModule`: provides (and exports)
 * `RedisStreamsHealthIndicator`, which checks Redis, the module server's read loops and the optional
 * thresholds.
 *
 * ```ts
 * RedisStreamsModule.forRoot({ connection, integrations: [withTerminusHealth({ timeoutMs: 1_500 })] })
 * ```
 * @param options - default thresholds of every check (each check may override them). @defaultValue `{ timeoutMs: 1000 }`
 * @publicApi
 */
export function withTerminusHealth(options: RedisStreamsHealthOptions = {}): RedisStreamsIntegration {
  return {
    providers: [{ provide: REDIS_STREAMS_HEALTH_OPTIONS, useValue: options }, HealthIndicatorService, RedisStreamsHealthIndicator],
    exports: [RedisStreamsHealthIndicator],
  };
}
