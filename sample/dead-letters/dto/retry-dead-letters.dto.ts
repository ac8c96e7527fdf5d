import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { CONSUMER_NAME_PATTERN } from '../../subscriptions/dto/create-subscription.dto.js';
import { ENTRY_ID_PATTERN } from './dead-letters.query.js';

/** Body of `POST /dead-letters/retry`: replay selected (`ids`) or all dead letters of a queue. */
export class RetryDeadLettersDto {
  @ApiProperty({ description: 'Queue name', example: 'orders' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic: string;

  @ApiPropertyOptional({ type: [String], description: 'Dead-letter entry ids (`entryId` of the list); absent = all' })
  @IsPresentOrAbsent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(ENTRY_ID_PATTERN, { each: true, message: 'each id must be a stream entry id (<ms>-<seq>)' })
  ids?: string[];

  @ApiPropertyOptional({ description: 'Only the dead letters of this consumer group' })
  @IsPresentOrAbsent()
  @Matches(CONSUMER_NAME_PATTERN, { message: 'group must be a consumer group name' })
  group?: string;
}
