import { SchemaTimeQuota } from '../../../sample/common/rate-limit/schema-time-quota.js';
import type { SampleConfig } from '../../../sample/config/sample-config.js';

/** 1000 ms of checks per 10 s: refills 0.1 ms per ms. */
const quotaOf = () => new SchemaTimeQuota({ limits: { schemaCheckMsPerWindow: 1_000, windowMs: 10_000 } } as SampleConfig);

describe('Sample: SchemaTimeQuota (per-tenant token bucket of schema-check time)', () => {
  it('should charge a tenant, refill it continuously and leave other tenants whole', () => {
    const quota = quotaOf();
    quota.charge('a', 1_200, 0); // a check may overrun what was left: the tenant is in debt
    expect(quota.leftMs('a', 0)).toBe(-200);
    expect(quota.leftMs('b', 0)).toBe(1_000);
    expect(quota.leftMs('a', 2_000)).toBeCloseTo(0);
    expect(quota.leftMs('a', 7_000)).toBeCloseTo(500);
    expect(quota.leftMs('a', 60_000)).toBe(1_000); // never more than the bucket
  });

  it('should refuse with a Retry-After of the seconds until 1 ms is back', () => {
    const quota = quotaOf();
    quota.charge('a', 1_000.5);
    expect(() => quota.admit('b')).not.toThrow();
    const err = quota.exceeded('a');
    expect(() => quota.admit('a')).toThrow(expect.objectContaining({ code: 'MQ_QUOTA_EXCEEDED' }));
    // 1.5 ms to refill at 0.1 ms per ms: 15 ms → 1 s (never 0).
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.getStatus()).toBe(429);
    quota.charge('c', 3_000);
    expect(quota.exceeded('c').retryAfterSeconds).toBe(21); // 2001 ms at 0.1 ms per ms
  });

  it('should forget tenants once their bucket refilled, without timers', () => {
    const quota = quotaOf();
    for (let n = 0; n < 1_000; n++) quota.charge(`t${n}`, 100, n);
    expect(quota.size).toBe(1_000);
    // 100 ms refill in 1 s: at 2 s the first ~1000 are full again; the next charge sweeps them.
    quota.charge('late', 1, 2_000);
    expect(quota.size).toBe(1);
    // Reading a full bucket forgets it too.
    expect(quota.leftMs('late', 3_000)).toBe(1_000);
    expect(quota.size).toBe(0);
  });
});
