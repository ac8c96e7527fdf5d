import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { PRINCIPAL } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RateLimitedException } from './rate-limited.exception.js';

/**
 * The request rate of the admin API, per tenant (`RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW_MS`),
 * counted in Redis (`RedisThrottlerStorage`) across every route and replica. Listed after
 * `JwtAuthGuard` in `@UseGuards`, so the tracker is the verified tenant, not an address.
 */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req[PRINCIPAL as unknown as string] as Principal | undefined;
    return principal ? `tenant:${principal.tenantId}` : `ip:${String(req.ip ?? 'unknown')}`;
  }

  /** One counter per tenant for the whole API (the default key is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedException(`Too many requests: at most ${detail.limit} per ${detail.ttl / 1000} s per tenant`, detail.timeToBlockExpire, {
      limit: detail.limit,
      windowSeconds: detail.ttl / 1000,
    });
  }
}
