import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ServiceTokenGuard } from '../auth/service-token.guard.js';
import { INTERNAL_PREFIX } from '../common/api-paths.js';
import { ERROR_SCHEMA } from '../common/errors/api-error.responses.js';
import { MetricsService, type MetricsSnapshot } from '../observability/metrics.service.js';
import { AuditLogDto } from './dto/audit-log.dto.js';
import { NotificationDto } from './dto/notification.dto.js';
import { UserEventDto } from './dto/user-event.dto.js';
import { InternalService } from './internal.service.js';

/** Service-to-service API: `X-Service-Token` instead of a user token; sees every tenant. */
@ApiTags('internal')
@ApiHeader({ name: 'X-Service-Token', required: true })
@ApiResponse({ status: 401, description: 'MQ_UNAUTHORIZED: missing or wrong X-Service-Token', schema: ERROR_SCHEMA })
@Controller(INTERNAL_PREFIX)
@UseGuards(ServiceTokenGuard)
export class InternalController {
  constructor(
    private readonly internal: InternalService,
    private readonly metrics: MetricsService,
  ) {}

  @Post('user-events')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish user.registered (→ welcome notification) or payment.succeeded (→ payment booked)' })
  userEvents(@Body() dto: UserEventDto): Promise<{ messageId: string; topic: string }> {
    return this.internal.publishUserEvent(dto);
  }

  @Post('notifications')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish a notification request' })
  notifications(@Body() dto: NotificationDto): Promise<{ messageId: string; topic: string }> {
    return this.internal.publishNotification(dto);
  }

  @Post('audit-logs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish an audit event' })
  auditLogs(@Body() dto: AuditLogDto): Promise<{ messageId: string; topic: string }> {
    return this.internal.publishAuditLog(dto);
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Metrics of every tenant and of the platform topics' })
  allMetrics(): Promise<MetricsSnapshot> {
    return this.metrics.snapshot('all');
  }

  @Get('health-detailed')
  @ApiOperation({ summary: "Health checks plus this replica's read loops, webhook consumers and recorder (200 with status ok | error)" })
  healthDetailed(): Promise<Record<string, unknown>> {
    return this.internal.healthDetailed();
  }
}
