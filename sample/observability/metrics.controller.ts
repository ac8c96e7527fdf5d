import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import type { Principal } from '../auth/principal.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import type { Alert, ConsumerMetrics, TopicMetrics } from './metrics.views.js';
import { MetricsService, type MetricsSnapshot } from './metrics.service.js';
import { serviceVersion, STARTED_AT } from './service-info.js';

/** JSON metrics and status of the caller's tenant (Prometheus text is at `/metrics`). */
@ApiTags('monitoring')
@Controller(API_PREFIX)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @ApiOperation({ summary: 'System, per-queue and per-consumer-group metrics of the tenant' })
  @ApiAdminErrors()
  all(@CurrentPrincipal() principal: Principal): Promise<MetricsSnapshot> {
    return this.metrics.snapshot({ tenantId: principal.tenantId });
  }

  @Get('metrics/topics')
  @ApiOperation({ summary: 'Per-queue metrics: length, delayed, dead letters, backlog, publish rate' })
  @ApiAdminErrors()
  async topics(@CurrentPrincipal() principal: Principal): Promise<TopicMetrics[]> {
    return (await this.metrics.snapshot({ tenantId: principal.tenantId })).topics;
  }

  @Get('metrics/consumers')
  @ApiOperation({ summary: 'Per-consumer-group metrics: pending, lag, lag age, delivery rate, webhook counters' })
  @ApiAdminErrors()
  async consumers(@CurrentPrincipal() principal: Principal): Promise<ConsumerMetrics[]> {
    return (await this.metrics.snapshot({ tenantId: principal.tenantId })).consumers;
  }

  @Get('status')
  @ApiOperation({ summary: 'Version, uptime and active alerts (backlog, lag, dead letters)' })
  @ApiAdminErrors()
  async status(@CurrentPrincipal() principal: Principal): Promise<{ status: 'ok' | 'degraded'; version: string; startedAt: string; uptimeSeconds: number; alerts: Alert[] }> {
    const alerts = this.metrics.alertsOf(await this.metrics.snapshot({ tenantId: principal.tenantId }));
    return {
      status: alerts.length ? 'degraded' : 'ok',
      version: serviceVersion(),
      startedAt: new Date(STARTED_AT).toISOString(),
      uptimeSeconds: Math.round((Date.now() - STARTED_AT) / 1000),
      alerts,
    };
  }
}
