import { HttpException, HttpStatus } from '@nestjs/common';
import { MqErrorCode } from './mq-error-code.js';

/** The JSON body of every error answer. */
export interface MqErrorBody {
  code: MqErrorCode;
  message: string;
  details?: unknown;
}

/** An HTTP error with its `MqErrorCode`; `MqExceptionFilter` writes it as `{ code, message, details? }`. */
export class MqException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: MqErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super({ code, message, ...(details !== undefined && { details }) } satisfies MqErrorBody, status);
  }

  /** 400 MQ_VALIDATION_FAILED. */
  static validation(message: string, details?: unknown): MqException {
    return new MqException(HttpStatus.BAD_REQUEST, MqErrorCode.VALIDATION_FAILED, message, details);
  }

  /** 403 MQ_FORBIDDEN. */
  static forbidden(message: string): MqException {
    return new MqException(HttpStatus.FORBIDDEN, MqErrorCode.FORBIDDEN, message);
  }

  /** 404 MQ_QUEUE_NOT_FOUND. */
  static queueNotFound(name: string): MqException {
    return new MqException(HttpStatus.NOT_FOUND, MqErrorCode.QUEUE_NOT_FOUND, `Queue "${name}" not found`);
  }

  /** 404 MQ_SUBSCRIPTION_NOT_FOUND. */
  static subscriptionNotFound(id: string): MqException {
    return new MqException(HttpStatus.NOT_FOUND, MqErrorCode.SUBSCRIPTION_NOT_FOUND, `Subscription "${id}" not found`);
  }

  /** 429 MQ_QUOTA_EXCEEDED. */
  static quota(message: string, details?: unknown): MqException {
    return new MqException(HttpStatus.TOO_MANY_REQUESTS, MqErrorCode.QUOTA_EXCEEDED, message, details);
  }
}
