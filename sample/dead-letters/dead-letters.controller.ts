import { Body, Controller, Delete, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import { ADMIN_ROLE, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import { DeadLettersService, type DeadLetterView } from './dead-letters.service.js';
import { DeadLettersQuery } from './dto/dead-letters.query.js';
import { RetryDeadLettersDto } from './dto/retry-dead-letters.dto.js';

/** Dead letters of the caller's queues. Listing needs a token; replay and purge need `admin`. */
@ApiTags('dead-letters')
@Controller(`${API_PREFIX}/dead-letters`)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({ summary: 'List the dead letters of a queue, oldest first (paged with `after`)' })
  @ApiAdminErrors(400, 404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DeadLettersQuery,
  ): Promise<{ queue: string; deadLetters: DeadLetterView[]; next: string | null }> {
    return this.deadLetters.list(principal, query.topic, query.count, query.after);
  }

  @Post('retry')
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay selected (ids) or all dead letters to the group that failed them' })
  @ApiAdminErrors(400, 404)
  retry(@CurrentPrincipal() principal: Principal, @Body() dto: RetryDeadLettersDto): Promise<{ replayed: number }> {
    return this.deadLetters.retry(principal, dto.topic, dto.ids, dto.group);
  }

  @Delete()
  @Roles(ADMIN_ROLE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete every dead letter of a queue' })
  @ApiAdminErrors(400, 404)
  purge(@CurrentPrincipal() principal: Principal, @Query() query: DeadLettersQuery): Promise<{ purged: number }> {
    return this.deadLetters.purge(principal, query.topic);
  }
}
