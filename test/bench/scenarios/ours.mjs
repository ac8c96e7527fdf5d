/**
 * This package, compiled (`dist/`): `ClientRedisStreams.emit` → `@EventPattern` on
 * `ServerRedisStreams` (`cfg.bare`: a handler given to `server.subscribe()` instead). `cfg.server` / `cfg.client` / `cfg.extras` hold the variant's options
 * (empty = the defaults); `cfg.distDir` (--compare-dist) or `--dist=DIR` loads another build.
 */
import { lastValueFrom } from 'rxjs';
import { eventHandlerModule, startMicroservice } from '../lib/nest-app.mjs';
import { loadOurs as load } from '../lib/ours-build.mjs';
import { redisUrl } from '../lib/redis-url.mjs';

export async function consumer(cfg, handle) {
  const { ServerRedisStreams } = await load(cfg);
  const { connection, ...server } = cfg.server ?? {};
  const strategy = new ServerRedisStreams({
    connection: { url: redisUrl(), options: connection },
    prefix: cfg.prefix,
    ...server,
  });
  if (cfg.bare) {
    // The same server, its handler registered at run time: no Nest context, pipes or filters per message.
    await new Promise((resolve, reject) => strategy.listen(err => (err ? reject(err) : resolve())));
    await strategy.subscribe('t', async data => handle(data), { group: 'default', ...cfg.extras });
    return () => strategy.close();
  }
  return startMicroservice(eventHandlerModule('t', handle, cfg.extras), { strategy });
}

export async function producer(cfg) {
  const { ClientRedisStreams } = await load(cfg);
  const { connection, ...client } = cfg.client ?? {};
  const proxy = new ClientRedisStreams({
    connection: { url: redisUrl(), options: connection },
    prefix: cfg.prefix,
    ...client,
  });
  await proxy.connect();
  return {
    send: data => lastValueFrom(proxy.emit('t', data)),
    close: () => proxy.close(),
  };
}
