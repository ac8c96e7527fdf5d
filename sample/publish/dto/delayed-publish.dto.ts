import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { PublishMessageDto } from './publish-message.dto.js';

/** Longest delay / furthest schedule accepted: one year. */
export const MAX_DELAY_MS = 365 * 86_400_000;

/** Body of `POST /publish/delayed`: delivered `delayMs` from now, never earlier. */
export class DelayedPublishDto extends PublishMessageDto {
  @ApiProperty({ description: 'Delay in ms (1 ms to 1 year)', example: 5000 })
  @IsInt()
  @Min(1)
  @Max(MAX_DELAY_MS)
  delayMs: number;
}
