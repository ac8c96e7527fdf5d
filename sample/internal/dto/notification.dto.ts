import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { TENANT_ID_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

/** Body of `POST /internal/mq/notifications`: a notification to send (recorded by its handler). */
export class NotificationDto {
  @ApiProperty({ example: 'acme' })
  @Matches(TENANT_ID_PATTERN, { message: 'tenantId must be a tenant id' })
  tenantId: string;

  @ApiPropertyOptional({ example: 'user-42' })
  @IsPresentOrAbsent()
  @IsString()
  @MaxLength(255)
  userId?: string;

  @ApiProperty({ enum: ['email', 'sms', 'push', 'in_app'] })
  @IsIn(['email', 'sms', 'push', 'in_app'])
  channel: 'email' | 'sms' | 'push' | 'in_app';

  @ApiProperty({ example: 'password-reset' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  template: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  recipient: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsPresentOrAbsent()
  @IsObject()
  data?: Record<string, unknown>;
}
