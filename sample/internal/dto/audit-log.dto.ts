import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsObject, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { TENANT_ID_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

/** Body of `POST /internal/mq/audit-logs`: an audit event of another service (stored by its handler). */
export class AuditLogDto {
  @ApiProperty({ example: 'acme' })
  @Matches(TENANT_ID_PATTERN, { message: 'tenantId must be a tenant id' })
  tenantId: string;

  @ApiProperty({ example: 'user-42' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  actor: string;

  @ApiProperty({ example: 'invoice.download' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  action: string;

  @ApiPropertyOptional({ example: 'invoice/2026-001' })
  @IsPresentOrAbsent()
  @IsString()
  @MaxLength(255)
  resource?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsPresentOrAbsent()
  @IsObject()
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'ISO 8601; defaults to the publish time' })
  @IsPresentOrAbsent()
  @IsISO8601({ strict: true, strictSeparator: true })
  occurredAt?: string;
}
