import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { API_PREFIX } from '../common/api-paths.js';
import { ApiAdminErrors } from '../common/errors/api-error.responses.js';
import { TenantThrottlerGuard } from '../common/rate-limit/tenant-throttler.guard.js';
import { UuidPipe } from '../common/validation/uuid.pipe.js';
import type { MessageView } from './message.view.js';
import { MessagesService } from './messages.service.js';

/** Message lookup by id (what publish answered), in the caller's tenant. */
@ApiTags('messages')
@Controller(`${API_PREFIX}/messages`)
@UseGuards(JwtAuthGuard, TenantThrottlerGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get(':id')
  @ApiOperation({ summary: 'A message as published (payload, headers) with its consumption history, while its records are kept' })
  @ApiAdminErrors(400, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<MessageView> {
    return this.messages.get(principal, id);
  }
}
