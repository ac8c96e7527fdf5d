/** A webhook request that did not answer 2xx (or no answer at all): the message is retried. */
export class WebhookDeliveryError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    reason: string,
  ) {
    super(status === undefined ? `Webhook ${url} failed: ${reason}` : `Webhook ${url} answered HTTP ${status}`);
    this.name = 'WebhookDeliveryError';
  }
}
