import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

/**
 * A tenant's `schemaDefinition` runs in the service's event loop at every publish. A schema that
 * backtracks (`pattern`), compares every pair of items (`uniqueItems`) or recurses without end must
 * cost the service a bounded time and answer 400 MQ_SCHEMA_INVALID, writing nothing — not stall
 * every tenant of the replica, nor answer 500.
 */
describe('Sample: hostile JSON Schemas of a queue', () => {
  let s: SampleHarness;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    s = await startSampleApp();
    a = api(s);
  });
  afterAll(async () => {
    await s.close();
  });

  const streamOf = (queue: string) => `${s.config.prefix}:{${s.tenant}.${queue}}`;

  /** Publishes and returns the answer with the time it took. */
  const timedPublish = async (queue: string, payload: unknown) => {
    const started = Date.now();
    const res = await a.post('/publish', { topic: queue, payload });
    return { res, ms: Date.now() - started };
  };

  it('should cut a catastrophically backtracking pattern short (ReDoS) with 400 MQ_SCHEMA_INVALID', async () => {
    await a.queue('redos', { schemaDefinition: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } });
    // Unbounded, this one payload holds the event loop for seconds (each extra "a" doubles it).
    const { res, ms } = await timedPublish('redos', { s: `${'a'.repeat(27)}!` });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(res.body.details).toEqual([expect.stringMatching(/took longer than \d+ ms/)]);
    expect(ms).toBeLessThan(3_000); // unbounded: seconds (each extra character doubles it) or minutes
    expect(await s.redis.exists(streamOf('redos'))).toBe(0);
    // The schema itself still works for ordinary payloads.
    await a.publish('redos', { s: 'aaa' });
  });

  it('should cut uniqueItems over a large array of objects (quadratic) short', async () => {
    await a.queue('unique', { schemaDefinition: { type: 'array', uniqueItems: true } });
    const { res, ms } = await timedPublish('unique', Array.from({ length: 3_000 }, (_, i) => ({ a: i })));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(ms).toBeLessThan(3_000); // unbounded: seconds (each extra character doubles it) or minutes
    expect(await s.redis.exists(streamOf('unique'))).toBe(0);
  });

  it('should bound the schema time of a whole batch, not only of each of its payloads', async () => {
    const queue = `unique-batch-${Date.now().toString(36)}`;
    await a.queue(queue, { schemaDefinition: { type: 'array', uniqueItems: true } });
    // Each check compares every pair of 150 objects: well under the per-payload budget, and valid.
    const payload = Array.from({ length: 150 }, (_, i) => ({ a: i }));
    await a.publish(queue, payload);
    const count = Math.floor(900_000 / JSON.stringify({ payload }).length);
    const started = Date.now();
    const res = await a.post('/publish/batch', { topic: queue, messages: Array.from({ length: count }, () => ({ payload })) });
    const ms = Date.now() - started;
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(res.body.details).toEqual([expect.stringMatching(/checks of this request took longer than 1000 ms/)]);
    expect(ms).toBeLessThan(5_000); // unbounded: the ~600 checks in a row held the event loop ~20 s here
    expect(await s.redis.xlen(streamOf(queue))).toBe(1);
  });

  it('should still take an ordinary batch of 1000 messages to a queue with a schema', async () => {
    const queue = `ordinary-batch-${Date.now().toString(36)}`;
    await a.queue(queue, { schemaDefinition: { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string', pattern: '^[a-z]+$' } }, required: ['n'] } });
    const res = await a.post('/publish/batch', { topic: queue, messages: Array.from({ length: 1000 }, (_, n) => ({ payload: { n, s: 'abcdefghij' } })) });
    expect(res.status).toBe(202);
    expect(await s.redis.xlen(streamOf(queue))).toBe(1000);
  });

  it('should answer 400, not 500, for a schema that recurses without end on some payloads', async () => {
    // Checks null fine (so it is accepted); on an object with "a" it applies itself to the same value forever.
    await a.queue('recursive', { schemaDefinition: { if: { type: 'object', required: ['a'] }, then: { $ref: '#' } } });
    const res = await a.post('/publish', { topic: 'recursive', payload: { a: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(await s.redis.exists(streamOf('recursive'))).toBe(0);
  });
});
