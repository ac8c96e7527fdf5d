import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';
import { IsStringMap } from '../../common/validation/is-string-map.decorator.js';
import { HEADER_NAME_PATTERN } from '../../publish/message-headers.js';

/**
 * Header names a webhook subscription may not set: what the deliverer sets itself (a subscription
 * must not forge them), the framing headers (`Host`, `Content-Length`, `Transfer-Encoding`) and
 * the hop-by-hop ones, which belong to one connection and would confuse proxies on the way.
 */
export const WEBHOOK_RESERVED_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'host',
  'user-agent',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'x-mq-*',
];

/** `handler_config` of a webhook subscription. */
export class WebhookConfigDto {
  @ApiProperty({ example: 'https://receiver.example.com/hooks/orders' })
  @MaxLength(2048)
  @IsString()
  // Parsed by the service (WebhookUrlGuard), as the deliverer will: an http(s) URL to a public address or the operator's allow-list.
  url: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { authorization: 'Bearer receiver-token' } })
  @IsPresentOrAbsent()
  @IsStringMap({
    maxEntries: 20,
    keyPattern: HEADER_NAME_PATTERN,
    maxValueLength: 4096,
    headerValues: true,
    reserved: WEBHOOK_RESERVED_HEADERS,
  })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Request timeout (ms); a timeout counts as a failure', default: 10000 })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(100)
  @Max(60_000)
  timeoutMs?: number;
}
