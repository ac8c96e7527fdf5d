import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import { ADMIN_ROLE, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import { UuidPipe } from '../common/validation/uuid.pipe.js';
import { CreateSubscriptionDto } from './dto/create-subscription.dto.js';
import { ListSubscriptionsQuery } from './dto/list-subscriptions.query.js';
import { UpdateSubscriptionDto } from './dto/update-subscription.dto.js';
import type { SubscriptionView } from './subscription.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Subscriptions of the caller's tenant. Reading needs a token; changing needs the `admin` role. */
@ApiTags('subscriptions')
@Controller(`${API_PREFIX}/subscriptions`)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Subscribe a webhook or register an external consumer group; a webhook answer holds its signing secret, shown only here' })
  @ApiAdminErrors(400, 404, 409)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSubscriptionDto): Promise<SubscriptionView & { secret?: string }> {
    return this.subscriptions.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the tenant's subscriptions with delivery counters" })
  @ApiAdminErrors(400, 404)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListSubscriptionsQuery): Promise<SubscriptionView[]> {
    return this.subscriptions.list(principal, query.topic);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscription with delivery counters' })
  @ApiAdminErrors(400, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<SubscriptionView> {
    return this.subscriptions.get(principal, id);
  }

  @Put(':id')
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Change a webhook (url, headers, timeout, filter); applies from the next message' })
  @ApiAdminErrors(400, 404)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateSubscriptionDto,
  ): Promise<SubscriptionView> {
    return this.subscriptions.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles(ADMIN_ROLE)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its consumer group' })
  @ApiAdminErrors(400, 404)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<void> {
    await this.subscriptions.delete(principal, id);
  }

  @Post(':id/pause')
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause the consumer group (every replica stops reading within a second)' })
  @ApiAdminErrors(400, 404)
  pause(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<SubscriptionView> {
    return this.subscriptions.pause(principal, id);
  }

  @Post(':id/resume')
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused consumer group' })
  @ApiAdminErrors(400, 404)
  resume(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<SubscriptionView> {
    return this.subscriptions.resume(principal, id);
  }
}
