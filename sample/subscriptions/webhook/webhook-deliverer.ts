import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { guardedLookup } from './guarded-lookup.js';
import { normalizeHost } from './webhook-address-policy.js';
import { reasonOf, WebhookDeliveryError } from './webhook-delivery.error.js';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature.js';
import { WebhookTargetForbiddenError } from './webhook-target-forbidden.error.js';
import type { WebhookTarget } from './webhook-target.js';
import { WebhookUrlGuard } from './webhook-url-guard.js';

/** One message as the receiver gets it (the JSON body of the POST). */
export interface WebhookMessage {
  id: string;
  queue: string;
  attempt: number;
  publishedAt: string;
  key: string | null;
  headers: Record<string, string>;
  data: unknown;
}

/**
 * POSTs one message to a webhook: JSON body, HMAC-SHA256 signature over `<timestamp>.<body>`.
 * 2xx = delivered; anything else, a timeout or a network error throws `WebhookDeliveryError`,
 * which the transport turns into a retry (then a dead letter). Redirects are never followed (a
 * 3xx is a failure). Every connection goes through `guardedLookup`, so the address connected to
 * is checked after DNS resolution, at each connection.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationShutdown {
  // Keep-alive connections shared by every subscription; each new connection is checked by the lookup.
  private readonly agent: Agent;

  constructor(private readonly guard: WebhookUrlGuard) {
    this.agent = new Agent({
      connections: 64,
      keepAliveTimeout: 10_000,
      connect: { lookup: guardedLookup(guard.policy, guard.resolve) },
    });
  }

  async deliver(target: WebhookTarget, message: WebhookMessage): Promise<number> {
    const body = JSON.stringify(message);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      // `net.connect` skips `lookup` for IP literals: check those here.
      const host = normalizeHost(new URL(target.url).hostname);
      if (isIP(host) && this.guard.policy.addressProblem(host)) throw new WebhookTargetForbiddenError();
      const response = await request(target.url, {
        method: 'POST',
        dispatcher: this.agent,
        body,
        headers: {
          ...target.headers,
          'content-type': 'application/json',
          'user-agent': 'nestjs-redis-streams-sample-webhook/1',
          [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, timestamp, body),
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.messageId]: message.id,
          [WEBHOOK_HEADERS.attempt]: String(message.attempt),
          [WEBHOOK_HEADERS.queue]: message.queue,
          [WEBHOOK_HEADERS.subscriptionId]: target.subscriptionId,
        },
        headersTimeout: target.timeoutMs,
        bodyTimeout: target.timeoutMs,
        signal: AbortSignal.timeout(target.timeoutMs),
      });
      status = response.statusCode;
      // The answer's body is not used; reading it frees the connection for the next request.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    } catch (err) {
      throw new WebhookDeliveryError(undefined, reasonOf(err));
    }
    if (status < 200 || status >= 300) throw new WebhookDeliveryError(status, `HTTP ${status}`);
    return status;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}
