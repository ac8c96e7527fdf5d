/**
 * Nest's `Transport.REDIS` (pub/sub) in the many-topics scenario, as the idle-cost reference: one
 * microservice with an `@EventPattern` handler per topic (`t0 … t<count-1>`, generated), subscribed
 * when it listens. Not durable, no delays, retries or pause: the scenario measures its idle cost only.
 */
import { Controller, Module } from '@nestjs/common';
import { EventPattern, Transport } from '@nestjs/microservices';
import { startMicroservice } from '../../lib/nest-app.mjs';

export async function consumer(cfg, onMessage) {
  class ManyPatterns {}
  for (let i = 0; i < cfg.count; i++) {
    const method = `on${i}`;
    const where = { topic: i, group: 0 };
    ManyPatterns.prototype[method] = async data => onMessage(data, where);
    EventPattern(`${cfg.prefix}:t${i}`)(ManyPatterns.prototype, method, Object.getOwnPropertyDescriptor(ManyPatterns.prototype, method));
  }
  Controller()(ManyPatterns);
  class ManyPatternsModule {}
  Module({ controllers: [ManyPatterns] })(ManyPatternsModule);
  const u = new URL(cfg.redisUrl);
  const t0 = performance.now();
  const close = await startMicroservice(ManyPatternsModule, { transport: Transport.REDIS, options: { host: u.hostname, port: Number(u.port) } }, ['error']);
  return { close, subscribeMs: performance.now() - t0 };
}
