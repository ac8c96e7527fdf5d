import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../common/http/http-types.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { AuthFailureLimiter } from '../common/rate-limit/auth-failure-limiter.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { matchesToken, tokenDigest } from './token-digest.js';

/**
 * Guards what names every tenant's data (Prometheus `/metrics`, the detailed health): the caller
 * sends `Authorization: Bearer <credential>`, either `METRICS_TOKEN` (what Prometheus'
 * `authorization` scrape setting sends) or a JWT with the `MONITORING_ROLE` role. A tenant's
 * `admin` role is not enough: these endpoints span tenants.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;
  private readonly role: string;

  constructor(
    @Inject(SAMPLE_CONFIG) config: SampleConfig,
    private readonly jwt: JwtAuthGuard,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.expected = config.metricsToken === undefined ? undefined : tokenDigest(config.metricsToken);
    this.role = config.monitoringRole;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const roles = await this.failures.authenticate(request, () => this.rolesOf(request.headers.authorization ?? ''));
    if (roles === 'metrics-token') return true;
    if (!roles.includes(this.role)) throw MqException.forbidden(`This endpoint needs the "${this.role}" role or the metrics token`);
    return true;
  }

  /** `'metrics-token'` for the metrics token, else the roles of a valid bearer JWT; 401 otherwise. */
  private async rolesOf(header: string): Promise<string[] | 'metrics-token'> {
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (this.expected && matchesToken(token, this.expected)) return 'metrics-token';
    try {
      return (await this.jwt.verify(header, { allowPlatformTenant: true })).roles;
    } catch {
      throw denied();
    }
  }
}

function denied(): MqException {
  return new MqException(HttpStatus.UNAUTHORIZED, MqErrorCode.UNAUTHORIZED, 'A metrics token or a monitoring bearer token is required');
}
