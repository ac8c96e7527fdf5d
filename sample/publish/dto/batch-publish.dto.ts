import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches, ValidateNested } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { MessageFieldsDto } from './message-fields.dto.js';

/** Body of `POST /publish/batch`: up to 1000 messages to one queue, in one pipelined round trip. */
export class BatchPublishDto {
  @ApiProperty({ description: 'Queue name', example: 'orders' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic: string;

  @ApiProperty({ type: [MessageFieldsDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => MessageFieldsDto)
  messages: MessageFieldsDto[];
}
