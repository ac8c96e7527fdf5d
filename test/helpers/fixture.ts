import type { Redis } from 'ioredis';
import type { ClientRedisStreams } from '../../lib/index.js';
import { startClient, type TestServer } from './nest.js';
import { deletePrefix, inspector, randomPrefix } from './redis.js';

/** Per-test state: a random key prefix, an inspecting Redis connection, a client, servers to close. */
export interface RedisFixture {
  prefix: string;
  redis: Redis;
  client: ClientRedisStreams;
  /** Servers started by the test; closed after it. */
  servers: TestServer[];
}

/**
 * Registers beforeEach/afterEach hooks giving every test its own prefix, client and inspector, and
 * closing the servers and deleting the prefix's keys afterwards.
 */
export function useRedisFixture(): RedisFixture {
  const f = { servers: [] as TestServer[] } as RedisFixture;
  beforeEach(async () => {
    f.prefix = randomPrefix();
    f.redis = inspector();
    f.client = await startClient(f.prefix);
  });
  afterEach(async () => {
    await Promise.all(f.servers.splice(0).map(s => s.close()));
    await f.client.close();
    await deletePrefix(f.redis, f.prefix);
    f.redis.disconnect();
  });
  return f;
}
