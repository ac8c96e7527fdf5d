import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { RedisStreamsHealthIndicator } from '../../lib/terminus/index.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';

/**
 * Terminus checks: Redis answers, every read loop of the transport (platform handlers and
 * webhooks) is alive, PostgreSQL answers, and so does the service's own Redis connection (rate
 * limits and backlog checks run on it before every publish). Down → 503 with the report.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: SampleRedis,
    @Inject(RedisStreamsHealthIndicator) private readonly transport: RedisStreamsHealthIndicator,
  ) {}

  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.transport.isHealthy('redis_streams', { timeoutMs: 1_500 }),
      () => this.database.pingCheck('database').withTimeout(1_500),
      () => this.pingServiceRedis(),
    ]);
  }

  private async pingServiceRedis() {
    const session = this.indicators.check('service_redis');
    try {
      await this.redis.redis.ping();
      return session.up();
    } catch {
      return session.down();
    }
  }
}
