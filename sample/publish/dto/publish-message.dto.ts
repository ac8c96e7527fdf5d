import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { MessageFieldsDto } from './message-fields.dto.js';

/** Body of `POST /publish`: one message to a queue of the caller's tenant. */
export class PublishMessageDto extends MessageFieldsDto {
  @ApiProperty({ description: 'Queue name', example: 'orders' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'topic must be a queue name' })
  topic: string;
}
