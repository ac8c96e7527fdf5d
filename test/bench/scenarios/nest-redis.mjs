/**
 * Nest's built-in Redis transport (`Transport.REDIS`, pub/sub over ioredis): `client.emit` →
 * `@EventPattern`. Not durable: a message published while nobody listens is lost.
 */
import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { eventHandlerModule, startMicroservice } from '../lib/nest-app.mjs';
import { redisHostPort, redisUrl } from '../lib/redis-url.mjs';

export async function consumer(cfg, handle) {
  const channel = `${cfg.prefix}:t`;
  const close = await startMicroservice(eventHandlerModule(channel, handle), {
    transport: Transport.REDIS,
    options: redisHostPort(),
  });
  // listen() resolves before SUBSCRIBE is confirmed: wait for it, or the first messages are lost.
  const probe = new Redis(redisUrl());
  for (let i = 0; i < 500; i++) {
    const [, subscribers] = await probe.pubsub('NUMSUB', channel);
    if (Number(subscribers) > 0) break;
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  await probe.quit();
  return close;
}

export async function producer(cfg) {
  Logger.overrideLogger(['error', 'warn']); // ClientRedis logs every (re)connection at "log" level
  const channel = `${cfg.prefix}:t`;
  const client = ClientProxyFactory.create({ transport: Transport.REDIS, options: redisHostPort() });
  await client.connect();
  return {
    send: data => lastValueFrom(client.emit(channel, data), { defaultValue: undefined }),
    close: () => client.close(),
  };
}
