import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import { ADMIN_ROLE, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import { QueueNamePipe } from '../common/validation/queue-name.pipe.js';
import { CreateQueueDto } from './dto/create-queue.dto.js';
import { UpdateQueueDto } from './dto/update-queue.dto.js';
import type { QueueView } from './queue.js';
import { QueuesService } from './queues.service.js';

/** Queues of the caller's tenant. Reading needs a token; changing needs the `admin` role. */
@ApiTags('queues')
@Controller(`${API_PREFIX}/queues`)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  @Post()
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Create a queue' })
  @ApiAdminErrors(400, 409, 429)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateQueueDto): Promise<QueueView> {
    return this.queues.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the tenant's queues with live stats" })
  @ApiAdminErrors()
  list(@CurrentPrincipal() principal: Principal): Promise<QueueView[]> {
    return this.queues.list(principal);
  }

  @Get(':name')
  @ApiOperation({ summary: 'One queue with live stats (length, delayed, dead letters, groups)' })
  @ApiAdminErrors(400, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('name', QueueNamePipe) name: string): Promise<QueueView> {
    return this.queues.get(principal, name);
  }

  @Put(':name')
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Change settings; running consumers apply them without a restart' })
  @ApiAdminErrors(400, 404)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('name', QueueNamePipe) name: string,
    @Body() dto: UpdateQueueDto,
  ): Promise<QueueView> {
    return this.queues.update(principal, name, dto);
  }

  @Delete(':name')
  @Roles(ADMIN_ROLE)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a queue, its subscriptions and every message' })
  @ApiAdminErrors(400, 404)
  async delete(@CurrentPrincipal() principal: Principal, @Param('name', QueueNamePipe) name: string): Promise<void> {
    await this.queues.delete(principal, name);
  }

  @Post(':name/purge')
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete every message of a queue; subscriptions stay' })
  @ApiAdminErrors(400, 404)
  purge(@CurrentPrincipal() principal: Principal, @Param('name', QueueNamePipe) name: string): Promise<{ removed: number }> {
    return this.queues.purge(principal, name);
  }
}
