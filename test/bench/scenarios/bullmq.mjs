/** BullMQ: `Queue.add` → `Worker` (concurrency `cfg.concurrency`, default job options). */
import { Queue, Worker } from 'bullmq';
import { redisHostPort } from '../lib/redis-url.mjs';

const QUEUE = 'q';

export async function consumer(cfg, handle) {
  const worker = new Worker(QUEUE, async job => handle(job.data), {
    connection: { ...redisHostPort(), maxRetriesPerRequest: null },
    prefix: cfg.prefix,
    concurrency: cfg.concurrency ?? 50,
  });
  await worker.waitUntilReady();
  return () => worker.close();
}

export async function producer(cfg) {
  const queue = new Queue(QUEUE, { connection: redisHostPort(), prefix: cfg.prefix });
  await queue.waitUntilReady();
  return {
    send: data => queue.add('j', data),
    close: () => queue.close(),
  };
}
