import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsString, Matches, ValidateNested } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { MessageFilterDto } from './message-filter.dto.js';
import { WebhookConfigDto } from './webhook-config.dto.js';

/** A consumer group / consumer name an external service may use. */
export const CONSUMER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Body of `POST /subscriptions`. `webhook`: the service POSTs every message to
 * `handlerConfig.url` (signed), with the queue's retry and dead-letter rules; the response shows
 * the signing secret once. `redis_consumer`: registers the consumer group `consumerGroup` of an
 * external service on the queue's stream (its backlog starts now, or at the oldest message).
 */
export class CreateSubscriptionDto {
  @ApiProperty({ description: 'Queue name', example: 'orders' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic: string;

  @ApiProperty({ enum: ['webhook', 'redis_consumer'] })
  @IsIn(['webhook', 'redis_consumer'])
  type: 'webhook' | 'redis_consumer';

  @ApiPropertyOptional({ description: 'redis_consumer only (required there): the consumer group', example: 'billing' })
  @IsPresentOrAbsent()
  @Matches(CONSUMER_NAME_PATTERN, { message: 'consumerGroup must be 1-128 of letters, digits, ".", "_", ":", "-"' })
  consumerGroup?: string;

  @ApiPropertyOptional({ description: 'redis_consumer only: a label of the consumer (default: the group)' })
  @IsPresentOrAbsent()
  @Matches(CONSUMER_NAME_PATTERN, { message: 'consumerName must be 1-128 of letters, digits, ".", "_", ":", "-"' })
  consumerName?: string;

  @ApiPropertyOptional({ type: WebhookConfigDto, description: 'webhook only (required there)' })
  @IsPresentOrAbsent()
  @ValidateNested()
  @Type(() => WebhookConfigDto)
  handlerConfig?: WebhookConfigDto;

  @ApiPropertyOptional({ type: MessageFilterDto, description: 'webhook only: messages that do not match are acked without delivery (and counted)' })
  @IsPresentOrAbsent()
  @ValidateNested()
  @Type(() => MessageFilterDto)
  messageFilter?: MessageFilterDto;

  @ApiPropertyOptional({ enum: ['latest', 'earliest'], default: 'latest', description: 'Where a new group starts: new messages, or every message still in the queue' })
  @IsPresentOrAbsent()
  @IsIn(['latest', 'earliest'])
  startFrom?: 'latest' | 'earliest';
}
