/** Redis connection of the sample, from `REDIS_URL`. */
export function redisConnection() {
  return { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

/** Key prefix of the sample, from `MQ_PREFIX`. */
export function redisPrefix(): string {
  return process.env.MQ_PREFIX ?? 'mq';
}

/** HTTP port of the sample, from `PORT`. */
export function httpPort(): number {
  return Number(process.env.PORT ?? 3010);
}
