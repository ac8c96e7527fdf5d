import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult } from '@nestjs/terminus';
import { API_PREFIX } from '../common/api-paths.js';
import { ERROR_SCHEMA } from '../common/errors/api-error.responses.js';
import { HealthService } from './health.service.js';

/** Health for probes and load balancers: no token (it names no tenant's data). */
@ApiTags('monitoring')
@Controller(API_PREFIX)
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @HealthCheck()
  @ApiOperation({ summary: 'Redis, PostgreSQL and the read loops (no token needed)' })
  @ApiResponse({ status: 503, description: 'MQ_UNHEALTHY, details = the Terminus report', schema: ERROR_SCHEMA })
  check(): Promise<HealthCheckResult> {
    return this.health.check();
  }
}
