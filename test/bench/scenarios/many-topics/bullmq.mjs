/**
 * BullMQ in the many-topics scenario, as its documentation wires it: one `Worker` per queue
 * (queues `q0 … q<count-1>`, connection options rather than a shared client, default worker
 * options), each awaited before the next (`cfg.subscribe` = 'parallel': all created, then awaited
 * together). BullMQ has no consumer groups, so the `groups` shape is only `count` queues with a
 * Worker each (idle cost; no fan-out traffic). The producer shares one
 * ioredis connection between its `Queue` objects. Jobs that must fail once get `attempts` with a
 * fixed backoff.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

function hostPort(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379) };
}

export async function consumer(cfg, onMessage) {
  const workers = [];
  const t0 = performance.now();
  for (let i = 0; i < cfg.count; i++) {
    const where = { topic: i, group: 0 };
    const worker = new Worker(`q${i}`, async job => onMessage(job.data, where), {
      connection: { ...hostPort(cfg.redisUrl), maxRetriesPerRequest: null },
      prefix: cfg.prefix,
    });
    // An 'error' event without a listener would throw; planned failures arrive as 'failed'.
    worker.on('error', err => console.error(`bullmq worker q${i}: ${err.message}`));
    if (cfg.subscribe !== 'parallel') await worker.waitUntilReady();
    workers.push(worker);
  }
  await Promise.all(workers.map(w => w.waitUntilReady()));
  const subscribeMs = performance.now() - t0;
  return { close: () => Promise.all(workers.map(w => w.close())), subscribeMs };
}

export async function producer(cfg) {
  const connection = new Redis({ ...hostPort(cfg.redisUrl), maxRetriesPerRequest: null });
  const queues = new Map();
  const queue = index => {
    let q = queues.get(index);
    if (!q) {
      q = new Queue(`q${index}`, { connection, prefix: cfg.prefix });
      queues.set(index, q);
    }
    return q;
  };
  return {
    send(index, data, { delayMs, failOnce } = {}) {
      const opts = {};
      if (delayMs) opts.delay = delayMs;
      if (failOnce) Object.assign(opts, { attempts: 3, backoff: { type: 'fixed', delay: cfg.retryBackoffMs } });
      return queue(index).add('j', data, opts);
    },
    pause: index => queue(index).pause(),
    resume: index => queue(index).resume(),
    async close() {
      await Promise.all([...queues.values()].map(q => q.close()));
      await connection.quit();
    },
  };
}
