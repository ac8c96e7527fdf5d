import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, Max, Min } from 'class-validator';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { MAX_DELAY_MS } from './delayed-publish.dto.js';
import { MessageFieldsDto } from './message-fields.dto.js';

/** Body of `POST /topics/{name}/publish`: one message, optionally delayed or scheduled. */
export class TopicPublishDto extends MessageFieldsDto {
  @ApiPropertyOptional({ description: 'Delay in ms (not with deliverAt)' })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(1)
  @Max(MAX_DELAY_MS)
  delayMs?: number;

  @ApiPropertyOptional({ description: 'ISO 8601 delivery time (not with delayMs)' })
  @IsPresentOrAbsent()
  @IsISO8601({ strict: true, strictSeparator: true })
  deliverAt?: string;
}
