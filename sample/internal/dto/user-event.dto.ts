import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { TENANT_ID_PATTERN } from '../../common/tenancy/topic-names.js';
import { IsPresentOrAbsent } from '../../common/validation/is-present.decorator.js';

/**
 * Body of `POST /internal/mq/user-events`: `user.registered` (a welcome notification follows) or
 * `payment.succeeded` (the payment is booked once).
 */
export class UserEventDto {
  @ApiProperty({ enum: ['user.registered', 'payment.succeeded'] })
  @IsIn(['user.registered', 'payment.succeeded'])
  type: 'user.registered' | 'payment.succeeded';

  @ApiProperty({ example: 'acme' })
  @Matches(TENANT_ID_PATTERN, { message: 'tenantId must be a tenant id' })
  tenantId: string;

  @ApiProperty({ example: 'user-42', description: 'Required for user.registered' })
  @ValidateIf((o: UserEventDto) => o.type === 'user.registered' || o.userId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  userId?: string;

  @ApiPropertyOptional({ example: 'ada@example.com', description: 'user.registered only (required)' })
  @ValidateIf((o: UserEventDto) => o.type === 'user.registered')
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: 'Ada', description: 'user.registered only' })
  @IsPresentOrAbsent()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ example: 'pay_123', description: 'payment.succeeded only (required)' })
  @ValidateIf((o: UserEventDto) => o.type === 'payment.succeeded')
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  paymentId?: string;

  @ApiPropertyOptional({ example: 4999, description: 'payment.succeeded only (required): amount in minor units' })
  @ValidateIf((o: UserEventDto) => o.type === 'payment.succeeded')
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMinor?: number;

  @ApiPropertyOptional({ example: 'EUR', description: 'payment.succeeded only (required): ISO 4217' })
  @ValidateIf((o: UserEventDto) => o.type === 'payment.succeeded')
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency?: string;
}
