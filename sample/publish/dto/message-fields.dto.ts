import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { IsStringMap } from '../../common/validation/is-string-map.decorator.js';
import { HEADER_NAME_PATTERN, RESERVED_MESSAGE_HEADERS } from '../message-headers.js';
import { ValidTraceContext } from './valid-trace-context.decorator.js';

/** One message: payload and its optional metadata. */
export class MessageFieldsDto {
  @ApiProperty({ description: 'Any JSON value (not null)', example: { orderId: 42, total: 99.5 } })
  @IsDefined()
  payload: unknown;

  @ApiPropertyOptional({ description: 'Ordering / partition key, delivered with the message', example: 'customer-42' })
  @IsPresentOrAbsent()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  key?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'x-correlation-id': 'abc-123' },
    description: 'traceparent / tracestate, if set, must be well-formed W3C trace context (tracestate ≤ 512 characters); without them the request\'s own are used',
  })
  @IsPresentOrAbsent()
  @IsStringMap({ maxEntries: 50, keyPattern: HEADER_NAME_PATTERN, maxValueLength: 1024, reserved: RESERVED_MESSAGE_HEADERS })
  @ValidTraceContext()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'A second publish with the same id within 5 minutes publishes nothing and returns the first message id', example: 'order-42' })
  @IsPresentOrAbsent()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  deduplicationId?: string;
}
