import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../common/http/http-types.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { matchesToken, tokenDigest } from './token-digest.js';

/**
 * Guards the Prometheus endpoint when `METRICS_TOKEN` is set (`Authorization: Bearer <token>`,
 * what Prometheus' `authorization` scrape setting sends). Without it the endpoint is open, as
 * scrapers expect: it must then only be reachable from the monitoring network, since its labels
 * name the topics of every tenant.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    this.expected = config.metricsToken === undefined ? undefined : tokenDigest(config.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<HttpRequest>().headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!matchesToken(token, this.expected)) {
      throw new MqException(HttpStatus.UNAUTHORIZED, MqErrorCode.UNAUTHORIZED, 'A valid metrics bearer token is required');
    }
    return true;
  }
}
