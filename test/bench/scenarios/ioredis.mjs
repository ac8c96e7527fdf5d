/**
 * The plain ioredis loop, the practical limit of a Node client: XADD with auto-pipelining →
 * XREADGROUP COUNT `cfg.count` → handle → one XACK per batch (sent before the next read on the
 * same connection, so it costs no extra round trip).
 */
import { Redis } from 'ioredis';
import { redisUrl } from '../lib/redis-url.mjs';

const GROUP = 'bench';

/** `cfg.stream` / `cfg.groupStart` (default `<prefix>:s` / `$`): another stream, e.g. one filled beforehand (consumer-cost.mjs). */
export async function consumer(cfg, handle) {
  const stream = cfg.stream ?? `${cfg.prefix}:s`;
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  await redis.xgroup('CREATE', stream, GROUP, cfg.groupStart ?? '$', 'MKSTREAM');
  let running = true;
  const loop = (async () => {
    while (running) {
      const reply = await redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', cfg.count, 'BLOCK', 200, 'STREAMS', stream, '>');
      if (!reply) continue;
      const entries = reply[0][1];
      const ids = new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const [id, fields] = entries[i];
        ids[i] = id;
        handle(JSON.parse(fields[fields.length - 1])); // `data`: the only field, or the last of our envelope's
      }
      void redis.xack(stream, GROUP, ...ids);
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => undefined);
    await redis.quit();
  };
}

export async function producer(cfg) {
  const stream = `${cfg.prefix}:s`;
  const redis = new Redis(redisUrl(), { enableAutoPipelining: true });
  await redis.ping();
  return {
    send: data => redis.xadd(stream, '*', 'data', JSON.stringify(data)),
    close: () => redis.quit(),
  };
}
