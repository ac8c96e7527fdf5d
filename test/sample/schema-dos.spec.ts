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

  it('should answer 400, not 500, for a schema that recurses without end on some payloads', async () => {
    // Checks null fine (so it is accepted); on an object with "a" it applies itself to the same value forever.
    await a.queue('recursive', { schemaDefinition: { if: { type: 'object', required: ['a'] }, then: { $ref: '#' } } });
    const res = await a.post('/publish', { topic: 'recursive', payload: { a: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MQ_SCHEMA_INVALID');
    expect(await s.redis.exists(streamOf('recursive'))).toBe(0);
  });
});
