import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { MqErrorCode } from '../../common/errors/mq-error-code.js';
import { MqException } from '../../common/errors/mq.exception.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../../config/sample-config.js';
import { normalizeHost, WebhookAddressPolicy } from './webhook-address-policy.js';
import { systemResolver, type WebhookResolver } from './webhook-resolver.js';

/**
 * The webhook address rules of this service (`WebhookAddressPolicy` with the operator's
 * allow-list, and the resolver): checks a URL when a subscription is created or changed, and gives
 * the deliverer what it needs to check the address it actually connects to.
 */
@Injectable()
export class WebhookUrlGuard {
  readonly policy: WebhookAddressPolicy;
  readonly resolve: WebhookResolver;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    this.policy = new WebhookAddressPolicy(config.webhookAllow);
    this.resolve = config.webhookResolver ?? systemResolver;
  }

  /**
   * 400 MQ_VALIDATION_FAILED unless the URL is http(s) without credentials; 400
   * MQ_WEBHOOK_URL_FORBIDDEN unless its host is an allowed address or a name whose every address is allowed. The URL parser has already turned
   * `0x7f000001`, `2130706433`, `0177.0.0.1` and `127.1` into `127.0.0.1`.
   */
  async check(rawUrl: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw invalid('url must be an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be an http(s) URL');
    if (url.username || url.password) throw invalid('url must not carry credentials (use a header)');
    const host = normalizeHost(url.hostname);
    const problem = await this.hostProblem(host);
    if (problem) throw forbidden(`url is not allowed: ${problem}`);
  }

  /** Why a host may not be reached (checking every address it resolves to), or undefined. */
  async hostProblem(host: string): Promise<string | undefined> {
    if (isIP(host)) return this.policy.addressProblem(host);
    const nameProblem = this.policy.nameProblem(host);
    if (nameProblem) return nameProblem;
    if (this.policy.allowsHost(host)) return undefined;
    let addresses;
    try {
      addresses = await this.resolve(host);
    } catch {
      return `the host "${host}" does not resolve`;
    }
    if (!addresses.length) return `the host "${host}" does not resolve`;
    for (const { address } of addresses) {
      // The address is not named: the tenant learns that the name is refused, not what it points to.
      if (this.policy.addressProblem(address)) return `the host "${host}" resolves to an address that is not public`;
    }
    return undefined;
  }
}

function invalid(message: string): MqException {
  return MqException.validation('Validation failed', [{ field: 'handlerConfig.url', errors: [message] }]);
}

function forbidden(message: string): MqException {
  return new MqException(HttpStatus.BAD_REQUEST, MqErrorCode.WEBHOOK_URL_FORBIDDEN, message);
}
