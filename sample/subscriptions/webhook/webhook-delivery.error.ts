/**
 * A webhook request that did not answer 2xx (or no answer at all): the message is retried, then
 * dead-lettered with this message. The message says what happened in the tenant's terms only: an
 * HTTP status, or a failure class such as "connection refused" — never the address or port
 * connected to, which would turn dead letters into a scanner of the service's network.
 */
export class WebhookDeliveryError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly reason: string,
  ) {
    super(status === undefined ? `Webhook delivery failed: ${reason}` : `Webhook answered HTTP ${status}`);
    this.name = 'WebhookDeliveryError';
  }
}

/** Failure classes by Node / undici error code. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
  UND_ERR_BODY_TIMEOUT: 'timed out waiting for the answer',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  EMQFORBIDDEN: 'the target address is not allowed',
};

/** A failure class for a request error, without addresses or ports. */
export function reasonOf(err: unknown): string {
  const e = err as { code?: string; name?: string; cause?: { code?: string } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (code && REASONS[code]) return REASONS[code];
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code?.startsWith('ERR_SSL')) return 'TLS handshake failed';
  return 'network error';
}
