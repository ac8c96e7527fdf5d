import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../common/http/http-types.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
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
  ) {
    this.expected = config.metricsToken === undefined ? undefined : tokenDigest(config.metricsToken);
    this.role = config.monitoringRole;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const header = context.switchToHttp().getRequest<HttpRequest>().headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (this.expected && matchesToken(token, this.expected)) return true;
    let roles: string[] = [];
    try {
      roles = (await this.jwt.verify(header, { allowPlatformTenant: true })).roles;
    } catch {
      throw denied();
    }
    if (!roles.includes(this.role)) throw MqException.forbidden(`This endpoint needs the "${this.role}" role or the metrics token`);
    return true;
  }
}

function denied(): MqException {
  return new MqException(HttpStatus.UNAUTHORIZED, MqErrorCode.UNAUTHORIZED, 'A metrics token or a monitoring bearer token is required');
}
