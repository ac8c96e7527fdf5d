import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { COMPRESSION_TYPES, MESSAGE_FORMATS } from '../../payload/queue-payload.js';
import { QUEUE_NAME_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

const DAY_MS = 86_400_000;

/** Body of `POST /queues`. Every setting but the name can be changed later with `PUT`. */
export class CreateQueueDto {
  @ApiProperty({ example: 'orders', pattern: QUEUE_NAME_PATTERN.source, description: 'Unique within the tenant; the Redis topic is `<tenant_id>.<name>`' })
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'name must be 1-128 characters: lower-case letters, digits, ".", "_", "-", starting with a letter or digit' })
  name: string;

  @ApiPropertyOptional({ example: 'Orders' })
  @IsPresentOrAbsent()
  @IsString()
  @MaxLength(255)
  displayName?: string;

  @ApiPropertyOptional()
  @IsPresentOrAbsent()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ description: 'Acked messages older than this are trimmed (ms)', default: 7 * DAY_MS, minimum: 1000, maximum: 365 * DAY_MS })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(1000)
  @Max(365 * DAY_MS)
  retentionMs?: number;

  @ApiPropertyOptional({ description: 'Bound of the backlog (unacked + unread + delayed messages; acked ones kept for retention do not count): a publish past it is refused (429); null = unbounded', nullable: true, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  maxLength?: number | null;

  @ApiPropertyOptional({ description: 'Deliveries in all before a message is dead-lettered', default: 5, minimum: 1, maximum: 100 })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts?: number;

  @ApiPropertyOptional({ description: 'Base delay between attempts (ms)', default: 1000 })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(DAY_MS)
  retryDelayMs?: number;

  @ApiPropertyOptional({ enum: ['fixed', 'exponential'], default: 'exponential' })
  @IsPresentOrAbsent()
  @IsIn(['fixed', 'exponential'])
  retryBackoff?: 'fixed' | 'exponential';

  @ApiPropertyOptional({ description: 'Upper bound of one retry delay (ms)', default: 60000 })
  @IsPresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(DAY_MS)
  maxRetryDelayMs?: number;

  @ApiPropertyOptional({ description: 'After the last attempt: dead-letter (true) or drop (false)', default: true })
  @IsPresentOrAbsent()
  @IsBoolean()
  deadLetter?: boolean;

  @ApiPropertyOptional({ enum: MESSAGE_FORMATS, default: 'json', description: 'Encoding of the payloads in Redis (consumers read every format)' })
  @IsPresentOrAbsent()
  @IsIn(MESSAGE_FORMATS)
  messageFormat?: (typeof MESSAGE_FORMATS)[number];

  @ApiPropertyOptional({ enum: COMPRESSION_TYPES, default: 'none', description: 'Compression of payloads of 512 bytes or more' })
  @IsPresentOrAbsent()
  @IsIn(COMPRESSION_TYPES)
  compressionType?: (typeof COMPRESSION_TYPES)[number];

  @ApiPropertyOptional({ default: false, description: "Payloads encrypted with the tenant's key (AES-256-GCM); headers stay readable" })
  @IsPresentOrAbsent()
  @IsBoolean()
  encrypted?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'JSON Schema (2020-12) every published payload must match (400 MQ_SCHEMA_INVALID); null = none' })
  @IsOptional()
  @IsObject()
  schemaDefinition?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [String], description: 'Token `sub`s allowed to publish; empty = anyone of the tenant' })
  @IsPresentOrAbsent()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  allowedProducers?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Token `sub`s (or consumer groups) allowed to subscribe; empty = anyone of the tenant' })
  @IsPresentOrAbsent()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  allowedConsumers?: string[];
}
