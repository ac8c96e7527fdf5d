import { Controller, Get, HttpStatus, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult } from '@nestjs/terminus';
import { MetricsTokenGuard } from '../auth/metrics-token.guard.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ERROR_SCHEMA } from '../common/errors/api-error.responses.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { HealthService } from './health.service.js';

/** The answer of the public probes: a status and nothing that names a tenant, a topic or a group. */
export interface ProbeView {
  status: 'ok';
}

/**
 * Probes for orchestrators and load balancers, without a token: liveness (the process answers)
 * and readiness (Redis, PostgreSQL and the read loops are fine). They say up or down, never what:
 * read-loop names carry tenants' queue names and subscription ids. The report with the reasons
 * is `GET /health/details`, behind the monitoring credential.
 */
@ApiTags('monitoring')
@Controller(API_PREFIX)
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers (no token needed)' })
  live(): ProbeView {
    return { status: 'ok' };
  }

  @Get(['health', 'health/ready'])
  @ApiOperation({ summary: 'Readiness: Redis, PostgreSQL and the read loops are fine (no token needed; no details)' })
  @ApiResponse({ status: 503, description: 'MQ_UNHEALTHY (reasons only in /health/details)', schema: ERROR_SCHEMA })
  async ready(): Promise<ProbeView> {
    try {
      await this.health.check();
    } catch {
      throw new MqException(HttpStatus.SERVICE_UNAVAILABLE, MqErrorCode.UNHEALTHY, 'The service is not ready');
    }
    return { status: 'ok' };
  }

  @Get('health/details')
  @HealthCheck()
  @UseGuards(MetricsTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The Terminus report with every read loop (metrics token or a monitoring-role JWT)' })
  @ApiResponse({ status: 503, description: 'MQ_UNHEALTHY, details = the Terminus report', schema: ERROR_SCHEMA })
  details(): Promise<HealthCheckResult> {
    return this.health.check();
  }
}
