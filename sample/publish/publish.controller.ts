import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import type { Principal } from '../auth/principal.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import { QueueNamePipe } from '../common/validation/queue-name.pipe.js';
import { BatchPublishDto } from './dto/batch-publish.dto.js';
import { DelayedPublishDto } from './dto/delayed-publish.dto.js';
import { PublishMessageDto } from './dto/publish-message.dto.js';
import { ScheduledPublishDto } from './dto/scheduled-publish.dto.js';
import { TopicPublishDto } from './dto/topic-publish.dto.js';
import { PublishService, type PublishedView } from './publish.service.js';
import { RequestTraceContext } from './request-trace-context.decorator.js';

/**
 * Publishing to the caller's queues. Any role may publish, if the queue's `allowed_producers` is
 * empty or lists the token's `sub`. 202: the message is in Redis, delivery follows. The request's
 * own W3C trace context goes with every message that does not carry one in its `headers`.
 */
@ApiTags('publish')
@Controller(API_PREFIX)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @Post('publish')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish one message' })
  @ApiAdminErrors(400, 404, 413, 429)
  publish(@CurrentPrincipal() principal: Principal, @Body() dto: PublishMessageDto, @RequestTraceContext() trace: Record<string, string>): Promise<PublishedView> {
    return this.publisher.publish(principal, dto.topic, dto, {}, trace);
  }

  @Post('publish/batch')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish up to 1000 messages to one queue in one round trip' })
  @ApiAdminErrors(400, 404, 413, 429)
  publishBatch(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: BatchPublishDto,
    @RequestTraceContext() trace: Record<string, string>,
  ): Promise<{ messageIds: string[]; queue: string }> {
    return this.publisher.publishBatch(principal, dto.topic, dto.messages, trace);
  }

  @Post('publish/delayed')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish one message delivered delayMs from now' })
  @ApiAdminErrors(400, 404, 413, 429)
  publishDelayed(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: DelayedPublishDto,
    @RequestTraceContext() trace: Record<string, string>,
  ): Promise<PublishedView> {
    return this.publisher.publish(principal, dto.topic, dto, { delayMs: dto.delayMs }, trace);
  }

  @Post('publish/scheduled')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish one message delivered at deliverAt' })
  @ApiAdminErrors(400, 404, 413, 429)
  publishScheduled(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ScheduledPublishDto,
    @RequestTraceContext() trace: Record<string, string>,
  ): Promise<PublishedView> {
    return this.publisher.publish(principal, dto.topic, dto, { deliverAt: dto.deliverAt }, trace);
  }

  @Post('topics/:name/publish')
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish one message to the named queue (optionally delayMs or deliverAt)' })
  @ApiAdminErrors(400, 404, 413, 429)
  publishToTopic(
    @CurrentPrincipal() principal: Principal,
    @Param('name', QueueNamePipe) name: string,
    @Body() dto: TopicPublishDto,
    @RequestTraceContext() trace: Record<string, string>,
  ): Promise<PublishedView> {
    return this.publisher.publish(principal, name, dto, { delayMs: dto.delayMs, deliverAt: dto.deliverAt }, trace);
  }
}
