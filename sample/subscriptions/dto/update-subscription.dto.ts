import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { MessageFilterDto } from './message-filter.dto.js';
import { WebhookConfigDto } from './webhook-config.dto.js';

/**
 * Body of `PUT /subscriptions/{id}` (webhooks): a new `handlerConfig` replaces the old one; a
 * `messageFilter` replaces the filter, `null` removes it. Applies from the next message.
 */
export class UpdateSubscriptionDto {
  @ApiPropertyOptional({ type: WebhookConfigDto })
  @IsPresentOrAbsent()
  @ValidateNested()
  @Type(() => WebhookConfigDto)
  handlerConfig?: WebhookConfigDto;

  @ApiPropertyOptional({ type: MessageFilterDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MessageFilterDto)
  messageFilter?: MessageFilterDto | null;
}
