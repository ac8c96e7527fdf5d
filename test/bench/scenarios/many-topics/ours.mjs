/**
 * Ours in the many-topics scenario, through the public API only: one `ServerRedisStreams` in a
 * Nest microservice with no static handlers, then `server.subscribe(topic, handler, { group })`
 * once per (topic, group), one after the other as a service loading its subscriptions would
 * (`cfg.subscribe` = 'parallel': all at once).
 * Shape `topics`: topics `t0 … t<count-1>`, one group; shape `groups`: topic `t0`, groups
 * `g0 … g<count-1>`. Retries use a fixed backoff without jitter so their lateness can be measured.
 */
import { Module } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { startMicroservice } from '../../lib/nest-app.mjs';
import { loadOurs } from '../../lib/ours-build.mjs';

const GROUP = 'bench';

/** Topic and group of subscription `i`. */
function subscription(shape, i) {
  return shape === 'groups' ? { topic: 't0', group: `g${i}` } : { topic: `t${i}`, group: GROUP };
}

export async function consumer(cfg, onMessage) {
  const { ServerRedisStreams } = await loadOurs(cfg);
  const server = new ServerRedisStreams({
    connection: { url: cfg.redisUrl },
    prefix: cfg.prefix,
    group: GROUP,
    retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: cfg.retryBackoffMs, jitter: false } },
  });
  class ManyTopicsModule {}
  Module({})(ManyTopicsModule);
  const close = await startMicroservice(ManyTopicsModule, { strategy: server }, ['error']);
  const subscribeOne = i => {
    const { topic, group } = subscription(cfg.shape, i);
    const where = cfg.shape === 'groups' ? { topic: 0, group: i } : { topic: i, group: 0 };
    return server.subscribe(topic, data => onMessage(data, where), { group });
  };
  const t0 = performance.now();
  if (cfg.subscribe === 'parallel') await Promise.all(Array.from({ length: cfg.count }, (_, i) => subscribeOne(i)));
  else for (let i = 0; i < cfg.count; i++) await subscribeOne(i);
  const subscribeMs = performance.now() - t0;
  /** Whether the read loop of subscription `index` reports itself paused (health state). */
  const isPaused = index => {
    const { topic, group } = subscription(cfg.shape, index);
    return server.getConsumerStates?.().find(s => s.topic === topic && s.group === group)?.paused;
  };
  return { close, subscribeMs, isPaused };
}

export async function producer(cfg) {
  const { ClientRedisStreams, RedisStreamsAdmin, RedisStreamsRecordBuilder } = await loadOurs(cfg);
  const client = new ClientRedisStreams({ connection: { url: cfg.redisUrl }, prefix: cfg.prefix });
  await client.connect();
  const admin = new RedisStreamsAdmin({ connection: { url: cfg.redisUrl }, prefix: cfg.prefix });
  const topicOf = index => (cfg.shape === 'groups' ? 't0' : `t${index}`);
  return {
    send(index, data, { delayMs } = {}) {
      const payload = delayMs ? new RedisStreamsRecordBuilder(data).setDelay(delayMs).build() : data;
      return lastValueFrom(client.emit(topicOf(index), payload), { defaultValue: undefined });
    },
    pause: index => admin.pauseGroup(topicOf(index), GROUP),
    resume: index => admin.resumeGroup(topicOf(index), GROUP),
    async close() {
      await admin.close();
      await client.close();
    },
  };
}
