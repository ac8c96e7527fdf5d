import { HttpStatus } from '@nestjs/common';
import { MqErrorCode } from '../errors/mq-error-code.js';
import { MqException } from '../errors/mq.exception.js';

/**
 * 429 MQ_QUOTA_EXCEEDED for a quota that refills with time (a tenant's schema-check time);
 * `MqExceptionFilter` sends `Retry-After: <retryAfterSeconds>` with it.
 */
export class QuotaExceededException extends MqException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = {},
  ) {
    super(HttpStatus.TOO_MANY_REQUESTS, MqErrorCode.QUOTA_EXCEEDED, message, { ...details, retryAfterSeconds });
  }
}
