import { Redis } from 'ioredis';
import { redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

/** How late the promoted entry may show up in the stream (the server's due timer, plus this test's polling). */
const MAX_LATENESS_MS = 1_000;

/** One entry as XREADGROUP returns it: `[id, [field, value, ...]]`. */
type Entry = [string, string[]];

/**
 * A queue whose only subscription is a `redis_consumer` (an external consumer group that reads the
 * stream itself): no server of the prefix consumes the topic with a handler, yet a delayed message
 * published through the HTTP API must still reach the stream on time, promoted by the running sample.
 */
describe('Sample: delayed message to a queue read only by an external consumer group', () => {
  let s: SampleHarness;
  let external: Redis;

  beforeEach(async () => {
    s = await startSampleApp();
    // The external consumer: a plain ioredis client, as a service outside the sample would use.
    external = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    external?.disconnect();
    await s?.close();
  });

  it('should promote it into the stream at its due time, readable by the external group', async () => {
    const a = api(s);
    await a.queue('ledger');
    await a.post('/subscriptions', { topic: 'ledger', type: 'redis_consumer', consumerGroup: 'ledger-sync' }).expect(201);
    const stream = `${s.config.prefix}:{${s.tenant}.ledger}`;
    // The external group is the topic's only group: nothing in the sample reads this stream.
    const groups = (await external.xinfo('GROUPS', stream)) as unknown[][];
    expect(groups.map(g => g[1])).toEqual(['ledger-sync']);

    const res = await a.post('/publish/delayed', { topic: 'ledger', payload: { entry: 'late' }, delayMs: 800 });
    expect(res.status).toBe(202);
    const due = Date.parse(res.body.deliverAt);
    expect(await external.zcard(`${stream}:delayed`)).toBe(1);
    expect(await external.xlen(stream)).toBe(0);

    // Non-blocking reads as the external group until the entry shows up; every empty read before
    // the due time is the "not before" half, the first non-empty one dates the promotion.
    const read = async (): Promise<{ entry: Entry; seenAt: number } | undefined> => {
      const answer = (await external.xreadgroup('GROUP', 'ledger-sync', 'ext-1', 'COUNT', 10, 'STREAMS', stream, '>')) as
        | [string, Entry[]][]
        | null;
      const seenAt = Date.now();
      const entries = answer?.[0]?.[1] ?? [];
      return entries.length ? { entry: entries[0], seenAt } : undefined;
    };
    const { entry, seenAt } = (await waitFor(read, 'the delayed entry in the stream', due - Date.now() + 5_000, 10))!;

    const [entryId, flat] = entry;
    const fields = Object.fromEntries(flat.flatMap((f, i) => (i % 2 ? [] : [[f, flat[i + 1]]])));
    // Written by the promotion itself (Redis' clock, same host), not earlier.
    const writtenAt = Number(entryId.split('-')[0]);
    expect(writtenAt).toBeGreaterThanOrEqual(due);
    expect(seenAt).toBeGreaterThanOrEqual(due);
    expect(seenAt - due).toBeLessThan(MAX_LATENESS_MS);
    expect(fields.id).toBe(res.body.messageId);
    expect(JSON.parse(fields.data)).toEqual({ entry: 'late' });
    expect(await external.zcard(`${stream}:delayed`)).toBe(0);
    // Promoted once: the one entry of the stream, now pending for the external consumer.
    expect(await external.xlen(stream)).toBe(1);
    expect(await external.xack(stream, 'ledger-sync', entryId)).toBe(1);
  });
});
