/** The Redis every scenario uses: `REDIS_URL`, default 127.0.0.1:6379. */
export function redisUrl() {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** `{ host, port, password?, db? }` of `redisUrl()`, for clients that take no URL. */
export function redisHostPort() {
  const u = new URL(redisUrl());
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname && u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
}
