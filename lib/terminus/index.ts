/**
 * `nestjs-redis-streams-transport/terminus`: the transport's health indicator. Needs the optional
 * peer `@nestjs/terminus`.
 */
export type { RedisStreamsHealthOptions } from '../health/interfaces/redis-streams-health-options.interface.js';
export { RedisStreamsHealthIndicator } from '../health/redis-streams.health-indicator.js';
export { withTerminusHealth } from './with-terminus-health.js';
