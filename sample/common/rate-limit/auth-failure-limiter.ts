import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import type { HttpRequest } from '../http/http-types.js';
import { SampleRedis } from '../redis/sample-redis.service.js';
import { MqException } from '../errors/mq.exception.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { RedisThrottlerStorage, type ThrottleRecord } from './redis-throttler.storage.js';

/**
 * Failed authentications per client address (`RATE_LIMIT_AUTH_FAILURES` per `RATE_LIMIT_WINDOW_MS`),
 * in the same Redis storage as the tenant rates: past the limit that address answers 429 with
 * `Retry-After` until the window ends, before any credential is checked, so guessing tokens and
 * making the service verify signatures stay bounded. Requests that authenticate are not counted.
 */
@Injectable()
export class AuthFailureLimiter {
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
    const before = await this.count(address, 0); // cost 0: reads whether the address is blocked
    if (before?.isBlocked) throw this.limited(before.timeToBlockExpire);
    try {
      return await authenticate();
    } catch (err) {
      if (!(err instanceof MqException) || err.getStatus() !== HttpStatus.UNAUTHORIZED) throw err;
      const after = await this.count(address, 1);
      throw after?.isBlocked ? this.limited(after.timeToBlockExpire) : err;
    }
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
