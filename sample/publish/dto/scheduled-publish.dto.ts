import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { PublishMessageDto } from './publish-message.dto.js';

/** Body of `POST /publish/scheduled`: delivered at `deliverAt`, never earlier (a past time: at once). */
export class ScheduledPublishDto extends PublishMessageDto {
  @ApiProperty({ description: 'ISO 8601 date-time, at most one year ahead', example: '2030-01-01T09:00:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  deliverAt: string;
}
