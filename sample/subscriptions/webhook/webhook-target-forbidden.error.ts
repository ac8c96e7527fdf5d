/** The webhook's host resolved to an address the service may not connect to (checked at connection time). */
export class WebhookTargetForbiddenError extends Error {
  readonly code = 'EMQFORBIDDEN';

  constructor() {
    super('The webhook target address is not allowed');
    this.name = 'WebhookTargetForbiddenError';
  }
}
