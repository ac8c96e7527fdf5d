import { HttpStatus } from '@nestjs/common';
import { MqErrorCode } from '../errors/mq-error-code.js';
import { MqException } from '../errors/mq.exception.js';

/** 429 MQ_RATE_LIMITED; `MqExceptionFilter` sends `Retry-After: <retryAfterSeconds>` with it. */
export class RateLimitedException extends MqException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = {},
  ) {
    super(HttpStatus.TOO_MANY_REQUESTS, MqErrorCode.RATE_LIMITED, message, { ...details, retryAfterSeconds });
  }
}
