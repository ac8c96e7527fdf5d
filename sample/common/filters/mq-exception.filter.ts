import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { HttpResponse } from '../http/http-types.js';
import { BatchPublishError, RedisUnavailableError, TopicFullError } from '../../../lib/index.js';
import { MqErrorCode } from '../errors/mq-error-code.js';
import { QuotaExceededException } from '../rate-limit/quota-exceeded.exception.js';
import { RateLimitedException } from '../rate-limit/rate-limited.exception.js';
import type { MqErrorBody } from '../errors/mq.exception.js';

/** Default code of an `HttpException` raised by Nest itself (not by our code), by status. */
const CODE_BY_STATUS: Partial<Record<number, MqErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: MqErrorCode.VALIDATION_FAILED,
  [HttpStatus.UNAUTHORIZED]: MqErrorCode.UNAUTHORIZED,
  [HttpStatus.FORBIDDEN]: MqErrorCode.FORBIDDEN,
  [HttpStatus.NOT_FOUND]: MqErrorCode.NOT_FOUND,
  [HttpStatus.CONFLICT]: MqErrorCode.CONFLICT,
  [HttpStatus.PAYLOAD_TOO_LARGE]: MqErrorCode.PAYLOAD_TOO_LARGE,
  [HttpStatus.TOO_MANY_REQUESTS]: MqErrorCode.QUOTA_EXCEEDED,
  [HttpStatus.SERVICE_UNAVAILABLE]: MqErrorCode.UNAVAILABLE,
};

/** PostgreSQL / network error codes that mean "a dependency is down", not "a bug". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03', '53300']);

/** Messages of pg, ioredis and the transport's admin while a dependency is unreachable. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not ready after \d+ ms|connection closed|Connection is closed|enableOfflineQueue|max retries per request|Command timed out/i;

/**
 * Writes every HTTP error as `{ code, message, details? }`. Known failures of the transport and of
 * PostgreSQL get their own status (a full queue is 429, an outage 503); anything else is a bug:
 * a 500 with a generic message, the cause logged. Registered with `app.useGlobalFilters`, so it
 * applies to HTTP only, never to the transport's handlers.
 */
@Catch()
export class MqExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('MqExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const [status, body] = this.toBody(exception);
    if (status >= 500 && body.code !== MqErrorCode.UNHEALTHY) {
      this.logger.error(`${body.code}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    if (response.headersSent) return;
    if (exception instanceof RateLimitedException || exception instanceof QuotaExceededException) response.header('Retry-After', String(exception.retryAfterSeconds));
    response.status(status).json(body);
  }

  private toBody(exception: unknown): [number, MqErrorBody] {
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof TopicFullError) return quotaOf(exception);
    if (exception instanceof BatchPublishError) {
      const full = exception.results.find(r => 'error' in r && r.error instanceof TopicFullError);
      const details = exception.results.map(r => ('error' in r ? { error: r.error.message } : r));
      if (full) return [HttpStatus.TOO_MANY_REQUESTS, { code: MqErrorCode.QUOTA_EXCEEDED, message: exception.message, details }];
      return [HttpStatus.SERVICE_UNAVAILABLE, { code: MqErrorCode.UNAVAILABLE, message: exception.message, details }];
    }
    if (exception instanceof RedisUnavailableError) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { code: MqErrorCode.UNAVAILABLE, message: 'Redis is unavailable' }];
    }
    const code = String((exception as { code?: unknown })?.code ?? (exception as { driverError?: { code?: unknown } })?.driverError?.code ?? '');
    if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_MESSAGE.test(String((exception as Error)?.message))) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { code: MqErrorCode.UNAVAILABLE, message: 'A dependency (Redis or PostgreSQL) is unavailable' }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { code: MqErrorCode.INTERNAL, message: 'Internal error' }];
  }
}

function fromHttpException(exception: HttpException): [number, MqErrorBody] {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (isMqBody(response)) return [status, response];
  // Terminus answers 503 with its report: keep it as details.
  if (status === HttpStatus.SERVICE_UNAVAILABLE && isHealthReport(response)) {
    return [status, { code: MqErrorCode.UNHEALTHY, message: 'A health check failed', details: response }];
  }
  const code = CODE_BY_STATUS[status] ?? (status < 500 ? MqErrorCode.VALIDATION_FAILED : MqErrorCode.INTERNAL);
  const raw = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
  const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
  return [status, { code, message }];
}

function quotaOf(err: TopicFullError): [number, MqErrorBody] {
  return [
    HttpStatus.TOO_MANY_REQUESTS,
    { code: MqErrorCode.QUOTA_EXCEEDED, message: 'The queue is full (its max length is reached)', details: { maxLength: err.maxLen, length: err.length } },
  ];
}

function isMqBody(value: unknown): value is MqErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as MqErrorBody).code === 'string' && (value as MqErrorBody).code.startsWith('MQ_');
}

function isHealthReport(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'status' in value && 'details' in value;
}
