import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { IsStringMap } from '../../common/validation/is-string-map.decorator.js';
import { HEADER_NAME_PATTERN } from '../../publish/message-headers.js';

/** `handler_config` of a webhook subscription. */
export class WebhookConfigDto {
  @ApiProperty({ example: 'https://receiver.example.com/hooks/orders' })
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  url: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { authorization: 'Bearer receiver-token' } })
  @IsPresentOrAbsent()
  @IsStringMap({
    maxEntries: 20,
    keyPattern: HEADER_NAME_PATTERN,
    maxValueLength: 4096,
    // Set by the deliverer: a subscription must not be able to forge them.
    reserved: ['content-type', 'content-length', 'host', 'user-agent', 'transfer-encoding', 'connection', 'x-mq-*'],
  })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Request timeout (ms); a timeout counts as a failure', default: 10000 })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(100)
  @Max(60_000)
  timeoutMs?: number;
}
