import { randomBytes } from 'node:crypto';
import { waitFor } from '../helpers/wait.js';
import { api } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

/** Milliseconds of schema checks each tenant may spend per window here (the default is 5000). */
const QUOTA_MS = 300;

/**
 * JSON Schema checks run on the event loop every tenant of a replica shares. Besides the budgets
 * of one check and one request, each tenant has `RATE_LIMIT_SCHEMA_MS` of check time per window on
 * each replica: once spent, its publishes to queues with a schema answer 429 MQ_QUOTA_EXCEEDED with
 * `Retry-After`, before any check, nothing written; other tenants are not affected.
 */
describe('Sample: schema-check time quota per tenant', () => {
  let s: SampleHarness;

  beforeAll(async () => {
    s = await startSampleApp({ limits: { schemaCheckMsPerWindow: QUOTA_MS, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const suffix = () => randomBytes(4).toString('hex');
  const streamOf = (tenant: string, queue: string) => `${s.config.prefix}:{${tenant}.${queue}}`;

  it('should refuse a tenant that spent its schema-check time with 429 and Retry-After, while another tenant still publishes', async () => {
    const a = api(s);
    const otherTenant = `t${suffix()}`;
    const b = api(s, s.token({ tenant_id: otherTenant }));
    const schemaDefinition = { type: 'array', uniqueItems: true };
    const queueA = `unique-${suffix()}`;
    const plainA = `plain-${suffix()}`;
    const queueB = `unique-${suffix()}`;
    await a.queue(queueA, { schemaDefinition });
    await a.queue(plainA);
    await b.queue(queueB, { schemaDefinition });

    // Valid, and expensive: uniqueItems compares every pair of 150 objects (tens of ms, under the 250 ms of one check).
    const expensive = Array.from({ length: 150 }, (_, i) => ({ a: i, s: `item-${i}` }));

    // Tenant A publishes expensive payloads one after the other until refused; tenant B publishes meanwhile.
    let aDone = false;
    const aStatuses: number[] = [];
    const aRun = (async () => {
      const deadline = Date.now() + 60_000;
      try {
        while (Date.now() < deadline && aStatuses.length < 500) {
          const res = await a.post('/publish', { topic: queueA, payload: expensive });
          aStatuses.push(res.status);
          if (res.status !== 202) return res;
        }
        throw new Error(`tenant A was never refused: ${aStatuses.length} publishes`);
      } finally {
        aDone = true;
      }
    })();
    const bStatuses: number[] = [];
    const bRun = (async () => {
      for (let n = 0; n < 30 && !aDone; n++) bStatuses.push((await b.post('/publish', { topic: queueB, payload: [{ n }, { m: n }] })).status);
    })();
    const [refused] = await Promise.all([aRun, bRun]);

    const accepted = aStatuses.filter(x => x === 202).length;
    expect(accepted).toBeGreaterThan(0);
    expect(aStatuses).toEqual([...Array<number>(accepted).fill(202), 429]);
    expect(refused.body).toMatchObject({
      code: 'MQ_QUOTA_EXCEEDED',
      message: expect.stringContaining(`${QUOTA_MS} ms`),
      details: { limitMs: QUOTA_MS, windowSeconds: 60, retryAfterSeconds: Number(refused.headers['retry-after']) },
    });
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await s.redis.xlen(streamOf(s.tenant, queueA))).toBe(accepted);

    // While empty, the tenant is refused (single and batch), and nothing is written. The bucket refills
    // continuously, so a publish may still start a check with the millisecond or two regained since; that
    // check is stopped at once and the answer is the same 429.
    const again = await a.post('/publish', { topic: queueA, payload: expensive });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('MQ_QUOTA_EXCEEDED');
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const batch = await a.post('/publish/batch', { topic: queueA, messages: [{ payload: expensive }, { payload: [] }] });
    expect(batch.status).toBe(429);
    expect(batch.body.code).toBe('MQ_QUOTA_EXCEEDED');
    expect(await s.redis.xlen(streamOf(s.tenant, queueA))).toBe(accepted);

    // Only queues with a schema: A still publishes to its plain queue.
    expect((await a.post('/publish', { topic: plainA, payload: expensive })).status).toBe(202);

    // Tenant B published throughout, and still does.
    expect(bStatuses.length).toBeGreaterThan(0);
    expect(bStatuses.every(x => x === 202)).toBe(true);
    expect((await b.post('/publish', { topic: queueB, payload: expensive })).status).toBe(202);
    expect(await s.redis.xlen(streamOf(otherTenant, queueB))).toBe(bStatuses.length + 1);

    // The bucket refills continuously (300 ms per minute: 5 ms a second): a cheap check passes again soon.
    await waitFor(async () => (await a.post('/publish', { topic: queueA, payload: [1, 2] })).status === 202, 'tenant A to have schema time again', 20_000, 250);
    expect(await s.redis.xlen(streamOf(s.tenant, queueA))).toBe(accepted + 1);
  });
});
