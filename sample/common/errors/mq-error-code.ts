/**
 * The `code` of every error body `{ code, message, details? }` the API answers with. Clients
 * switch on these; the HTTP status says the class of error, the code says which one.
 */
export enum MqErrorCode {
  /** 400: a body, query or path parameter failed validation, or the body is not valid JSON. */
  VALIDATION_FAILED = 'MQ_VALIDATION_FAILED',
  /** 401: no bearer token, or an invalid / expired one; or a wrong `X-Service-Token`. */
  UNAUTHORIZED = 'MQ_UNAUTHORIZED',
  /** 403: missing role, not an allowed producer / consumer, or another tenant's resource. */
  FORBIDDEN = 'MQ_FORBIDDEN',
  /** 400: a webhook URL that points at a private, loopback, link-local or metadata address (or a name resolving to one). */
  WEBHOOK_URL_FORBIDDEN = 'MQ_WEBHOOK_URL_FORBIDDEN',
  /** 400: a published payload does not match its queue's JSON Schema (`details`: the validation errors). */
  SCHEMA_INVALID = 'MQ_SCHEMA_INVALID',
  /** 404: no such queue in the caller's tenant. */
  QUEUE_NOT_FOUND = 'MQ_QUEUE_NOT_FOUND',
  /** 404: no such subscription in the caller's tenant. */
  SUBSCRIPTION_NOT_FOUND = 'MQ_SUBSCRIPTION_NOT_FOUND',
  /** 404: no such message record in the caller's tenant (or recording is off). */
  MESSAGE_NOT_FOUND = 'MQ_MESSAGE_NOT_FOUND',
  /** 404: no such route. */
  NOT_FOUND = 'MQ_NOT_FOUND',
  /** 409: a queue with this name exists in the tenant. */
  QUEUE_EXISTS = 'MQ_QUEUE_EXISTS',
  /** 409: the consumer group is already subscribed to the queue. */
  SUBSCRIPTION_EXISTS = 'MQ_SUBSCRIPTION_EXISTS',
  /** 409: the subscription is not in a state that allows the operation. */
  CONFLICT = 'MQ_CONFLICT',
  /** 413: the request body is larger than the limit (1 MiB by default). */
  PAYLOAD_TOO_LARGE = 'MQ_PAYLOAD_TOO_LARGE',
  /**
   * 429: the queue is full (its max length), the tenant has as many queues / subscriptions as allowed, or
   * it spent its schema-check time on this replica (then with `Retry-After`).
   */
  QUOTA_EXCEEDED = 'MQ_QUOTA_EXCEEDED',
  /** 429: the tenant sent more requests or published more messages than its rate allows; see `Retry-After`. */
  RATE_LIMITED = 'MQ_RATE_LIMITED',
  /** 503: Redis or PostgreSQL is unreachable. */
  UNAVAILABLE = 'MQ_UNAVAILABLE',
  /** 503: a health check failed (`details` holds the report). */
  UNHEALTHY = 'MQ_UNHEALTHY',
  /** 500: a bug; the message is generic and the cause is logged. */
  INTERNAL = 'MQ_INTERNAL_ERROR',
}
