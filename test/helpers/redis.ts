import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the suite uses (resolved by test/global-setup.cjs). */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** `{ url }` connection options for the suite's Redis. */
export function connection(url = redisUrl()) {
  return { url };
}

/** A fresh key prefix per test, so tests never see each other's keys. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** A plain ioredis connection for assertions on Redis state. */
export function inspector(url = redisUrl()): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key of a prefix. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
