import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { IsStringMap } from '../../common/validation/is-string-map.decorator.js';
import { HEADER_NAME_PATTERN } from '../../publish/message-headers.js';
import type { FilterValue } from '../message-filter.js';

/** `message_filter`: equality on headers and on payload fields (dotted paths). Empty = everything. */
export class MessageFilterDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'x-region': 'eu' } })
  @IsPresentOrAbsent()
  @IsStringMap({ maxEntries: 20, keyPattern: HEADER_NAME_PATTERN, maxValueLength: 1024 })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: {}, example: { 'order.country': 'DE', priority: 1 } })
  @IsPresentOrAbsent()
  @IsStringMap({ maxEntries: 20, keyPattern: /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, maxValueLength: 1024, scalarValues: true })
  payload?: Record<string, FilterValue>;
}
