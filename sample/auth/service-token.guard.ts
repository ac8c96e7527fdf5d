import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../common/http/http-types.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { AuthFailureLimiter } from '../common/rate-limit/auth-failure-limiter.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { matchesToken, tokenDigest } from './token-digest.js';

/** Header of the internal (service-to-service) API. */
export const SERVICE_TOKEN_HEADER = 'x-service-token';

/**
 * The internal API (`/internal/mq/*`): the `X-Service-Token` header must equal
 * `INTERNAL_SERVICE_TOKEN`. Compared in constant time (`matchesToken`); failures count against the
 * client address (`AuthFailureLimiter`).
 */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    @Inject(SAMPLE_CONFIG) config: SampleConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.expected = tokenDigest(config.internalServiceToken);
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    return this.failures.authenticate(request, () => {
      if (!matchesToken(request.headers[SERVICE_TOKEN_HEADER], this.expected)) {
        throw new MqException(HttpStatus.UNAUTHORIZED, MqErrorCode.UNAUTHORIZED, 'A valid X-Service-Token header is required');
      }
      return true;
    });
  }
}
