import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

/** A stream entry id (`<ms>-<seq>`); at most 19 digits each, so both always fit Redis' 64-bit parts. */
export const ENTRY_ID_PATTERN = /^\d{1,19}-\d{1,19}$/;

/** Query of `GET /dead-letters` and `DELETE /dead-letters`. */
export class DeadLettersQuery {
  @ApiProperty({ description: 'Queue name', example: 'orders' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic: string;

  @ApiPropertyOptional({ description: 'Page size (GET only)', default: 50, minimum: 1, maximum: 500 })
  @IsPresentOrAbsent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  count?: number;

  @ApiPropertyOptional({ description: 'Continue after this dead-letter entry id (the previous page\'s `next`; GET only)' })
  @IsPresentOrAbsent()
  @Matches(ENTRY_ID_PATTERN, { message: 'after must be a stream entry id (<ms>-<seq>)' })
  after?: string;
}
