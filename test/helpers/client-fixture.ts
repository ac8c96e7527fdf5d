import type { Redis } from 'ioredis';
import { ClientRedisStreams, type RedisStreamsClientOptions } from '../../lib/index.js';
import { connection, deletePrefix, inspector, randomPrefix } from './redis.js';

/** What `useClientFixture()` gives a test: its key prefix, an inspector connection, connected clients. */
export interface ClientFixture {
  prefix: string;
  redis: Redis;
  /** A connected client on the test's prefix (the suite's Redis unless `options.connection` says otherwise). */
  client(options?: RedisStreamsClientOptions): Promise<ClientRedisStreams>;
}

/**
 * Registers `beforeEach` / `afterEach` for a client test: a fresh key prefix and an inspector per
 * test; afterwards every client made is closed, the prefix's keys deleted and the inspector closed.
 */
export function useClientFixture(): ClientFixture {
  const clients: ClientRedisStreams[] = [];
  const f: ClientFixture = {
    prefix: '',
    redis: undefined as unknown as Redis,
    async client(options = {}) {
      const c = new ClientRedisStreams({ connection: connection(), prefix: f.prefix, ...options });
      clients.push(c);
      await c.connect();
      return c;
    },
  };
  beforeEach(() => {
    f.prefix = randomPrefix();
    f.redis = inspector();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
    await deletePrefix(f.redis, f.prefix);
    f.redis.disconnect();
  });
  return f;
}
