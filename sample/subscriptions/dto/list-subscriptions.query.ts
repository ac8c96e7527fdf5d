import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

/** Query of `GET /subscriptions`. */
export class ListSubscriptionsQuery {
  @ApiPropertyOptional({ description: 'Only the subscriptions of this queue' })
  @IsPresentOrAbsent()
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic?: string;
}
