/** Header the service sets on every published message: the publishing tenant. */
export const TENANT_HEADER = 'x-tenant-id';

/** Header the service sets on every published message: the token's `sub`. */
export const PRODUCER_HEADER = 'x-producer-id';

/** Header names a producer may not set: the service's own, and the webhook protocol's. */
export const RESERVED_MESSAGE_HEADERS = [TENANT_HEADER, PRODUCER_HEADER, 'x-mq-*'];

/** What a message header name looks like. */
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
