import { Inject, Injectable } from '@nestjs/common';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import type { SchemaTimeAccount } from '../../payload/schema-budget.js';
import { QuotaExceededException } from './quota-exceeded.exception.js';

/** Tenants one replica remembers at most (a bound on memory whatever happens); past it the oldest are forgotten. */
const MAX_TENANTS = 100_000;

/** A tenant's bucket: milliseconds of schema-check time it may still spend (negative: in debt), as of `at`. */
interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Schema-check time per tenant on this replica (`RATE_LIMIT_SCHEMA_MS` per `RATE_LIMIT_WINDOW_MS`):
 * a token bucket of that many milliseconds, refilled continuously. The checks of a tenant's JSON
 * Schemas run on the event loop every tenant of the replica shares; the per-check and per-request
 * budgets bound one request, this bounds a tenant's requests together. Each check is charged the
 * time it actually took (its compile included) and is given at most the time the tenant has left;
 * a publish to a queue with a schema is refused with 429 MQ_QUOTA_EXCEEDED and `Retry-After` before
 * any check while the bucket is empty. Local to the replica on purpose: it protects this event loop,
 * and costs no Redis round trip per check.
 *
 * Memory: only tenants whose checks took time lately have a bucket; a full bucket is the same as
 * none, so buckets are forgotten once refilled (swept, oldest charge first, at every charge; no
 * timers), and never more than `MAX_TENANTS` are kept.
 */
@Injectable()
export class SchemaTimeQuota {
  /** Tenant → bucket, in the order of their last charge (oldest first). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  /** The tenant's account, for `SchemaRequest`. */
  accountOf(tenantId: string): SchemaTimeAccount {
    return { leftMs: () => this.leftMs(tenantId), charge: ms => this.charge(tenantId, ms) };
  }

  /** Throws 429 MQ_QUOTA_EXCEEDED with `Retry-After` when the tenant has no schema-check time left. */
  admit(tenantId: string): void {
    if (this.leftMs(tenantId) < 1) throw this.exceeded(tenantId);
  }

  /** 429 MQ_QUOTA_EXCEEDED for the tenant, `Retry-After` the seconds until at least 1 ms is back (1 at least). */
  exceeded(tenantId: string): QuotaExceededException {
    const left = this.leftMs(tenantId);
    const { capacity, perMs } = this.limit();
    // A check is never given less than 1 ms (`SchemaRequest.nextCheck` floors).
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - left) / perMs / 1000));
    const windowSeconds = this.config.limits.windowMs / 1000;
    return new QuotaExceededException(
      `Schema-check time exceeded: at most ${capacity} ms of JSON Schema checks per ${windowSeconds} s per tenant on each replica`,
      retryAfterSeconds,
      { limitMs: capacity, windowSeconds },
    );
  }

  /** Milliseconds the tenant may spend now (≤ 0: none). */
  leftMs(tenantId: string, now = performance.now()): number {
    const bucket = this.buckets.get(tenantId);
    if (!bucket) return this.limit().capacity;
    const tokens = this.refilled(bucket, now);
    if (tokens >= this.limit().capacity) this.buckets.delete(tenantId);
    return tokens;
  }

  /** Charges `ms` of checks to the tenant. */
  charge(tenantId: string, ms: number, now = performance.now()): void {
    if (!(ms > 0)) return;
    const tokens = this.leftMs(tenantId, now) - ms;
    this.buckets.delete(tenantId); // re-inserted as the newest
    this.buckets.set(tenantId, { tokens, at: now });
    this.sweep(now);
  }

  /** Tenants with a bucket (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets the refilled buckets among the oldest charges, and the oldest past `MAX_TENANTS`. */
  private sweep(now: number): void {
    const { capacity } = this.limit();
    for (const [tenantId, bucket] of this.buckets) {
      if (this.buckets.size <= MAX_TENANTS && this.refilled(bucket, now) < capacity) break;
      this.buckets.delete(tenantId);
    }
  }

  private refilled(bucket: Bucket, now: number): number {
    const { capacity, perMs } = this.limit();
    return Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
  }

  /** Bucket size (ms) and refill (ms of checks per ms of time). */
  private limit(): { capacity: number; perMs: number } {
    const { schemaCheckMsPerWindow: capacity, windowMs } = this.config.limits;
    return { capacity, perMs: capacity / windowMs };
  }
}
