import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import type { HttpRequest } from '../http/http-types.js';
import { SampleRedis } from '../redis/sample-redis.service.js';
import { MqException } from '../errors/mq.exception.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { RedisThrottlerStorage, type ThrottleRecord } from './redis-throttler.storage.js';

/** Failing addresses one replica remembers (a bound on memory under a spray of addresses). */
const MAX_SUSPECTS = 10_000;

/**
 * Failed authentications per client address (`RATE_LIMIT_AUTH_FAILURES` per `RATE_LIMIT_WINDOW_MS`),
 * in the same Redis storage as the tenant rates: past the limit that address answers 429 with
 * `Retry-After` until the window ends, before any credential is checked, so guessing tokens and
 * making the service verify signatures stay bounded. Requests that authenticate are not counted.
 * Only addresses that failed on this replica within the window are looked up in Redis before their
 * credentials are checked: an address that never failed here costs no extra round trip (at most one
 * unchecked attempt per replica once the shared counter blocked it).
 */
@Injectable()
export class AuthFailureLimiter {
  /** Addresses that failed here lately → until when they are looked up (insertion order = age). */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly storage: RedisThrottlerStorage,
    private readonly redis: SampleRedis,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /**
   * Runs `authenticate` for the request's address: 429 while the address is blocked; a 401 it
   * throws is counted against the address, and the one that reaches the limit answers 429. While
   * Redis cannot be reached nothing is counted (the health endpoints must still answer).
   */
  async authenticate<T>(request: HttpRequest, authenticate: () => T | Promise<T>): Promise<T> {
    const address = `ip:${String(request.ip ?? 'unknown')}`;
    if (this.isSuspect(address)) {
      const before = await this.count(address, 0); // cost 0: reads whether the address is blocked
      if (before?.isBlocked) throw this.limited(before.timeToBlockExpire);
    }
    try {
      return await authenticate();
    } catch (err) {
      if (!(err instanceof MqException) || err.getStatus() !== HttpStatus.UNAUTHORIZED) throw err;
      this.suspect(address);
      const after = await this.count(address, 1);
      throw after?.isBlocked ? this.limited(after.timeToBlockExpire) : err;
    }
  }

  private isSuspect(address: string): boolean {
    const until = this.suspects.get(address);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.suspects.delete(address);
    return false;
  }

  /** Remembers a failing address for one window; the oldest are forgotten past `MAX_SUSPECTS`. */
  private suspect(address: string): void {
    this.suspects.delete(address); // re-inserted as the newest
    this.suspects.set(address, Date.now() + this.config.limits.windowMs);
    if (this.suspects.size > MAX_SUSPECTS) this.suspects.delete(this.suspects.keys().next().value!);
  }

  /** The address's counter after `cost` more failures, or undefined when Redis did not answer. */
  private async count(address: string, cost: number): Promise<ThrottleRecord | undefined> {
    if (this.redis.redis.status !== 'ready') return undefined; // no wait for a reconnect
    const { windowMs, authFailuresPerWindow } = this.config.limits;
    try {
      return await this.storage.incrementBy(address, windowMs, authFailuresPerWindow, windowMs, 'auth-failures', cost);
    } catch {
      return undefined;
    }
  }

  private limited(retryAfterSeconds: number): RateLimitedException {
    const { windowMs, authFailuresPerWindow } = this.config.limits;
    return new RateLimitedException(
      `Too many failed authentications from this address: at most ${authFailuresPerWindow} per ${windowMs / 1000} s`,
      retryAfterSeconds,
      { limit: authFailuresPerWindow, windowSeconds: windowMs / 1000 },
    );
  }
}
