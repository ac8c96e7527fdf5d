/**
 * `@nestjs-redis/streams-transporter` 2.0.1 (node-redis v5) with its defaults — except
 * `maxStreamLength` when `cfg.maxStreamLength` is set: its default (10,000, `XADD … MAXLEN ~`)
 * trims entries the consumer has not read yet once the producer runs ahead, so a 100k run would
 * lose most messages and never finish.
 */
import { RedisStreamClient, RedisStreamServer } from '@nestjs-redis/streams-transporter';
import { lastValueFrom } from 'rxjs';
import { eventHandlerModule, startMicroservice } from '../lib/nest-app.mjs';
import { redisUrl } from '../lib/redis-url.mjs';

function options(cfg) {
  return {
    url: redisUrl(),
    streamPrefix: cfg.prefix,
    ...(cfg.maxStreamLength ? { maxStreamLength: cfg.maxStreamLength } : {}),
  };
}

export async function consumer(cfg, handle) {
  return startMicroservice(eventHandlerModule('t', handle), { strategy: new RedisStreamServer(options(cfg)) });
}

export async function producer(cfg) {
  const client = new RedisStreamClient(options(cfg));
  await client.connect();
  return {
    send: data => lastValueFrom(client.emit('t', data), { defaultValue: undefined }),
    close: () => client.close(),
  };
}
