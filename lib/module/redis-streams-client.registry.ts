import type { ClientRedisStreams } from '../client/client-redis-streams.js';

/** The clients the module created, so it can close them on shutdown (Nest does not close a ClientProxy). */
export class RedisStreamsClientRegistry {
  readonly clients = new Set<ClientRedisStreams>();
}
