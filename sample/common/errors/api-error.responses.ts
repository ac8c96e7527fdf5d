import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';

/** OpenAPI shape of the error body `{ code, message, details? }`. */
export const ERROR_SCHEMA = {
  type: 'object' as const,
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', example: 'MQ_VALIDATION_FAILED' },
    message: { type: 'string' },
    details: {},
  },
};

/** Documents the bearer auth and the errors every admin endpoint may answer. */
export function ApiAdminErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, 403, 429, ...statuses.filter(s => s !== 429)].map(status => ApiResponse({ status, description: describe(status), schema: ERROR_SCHEMA })),
  );
}

function describe(status: number): string {
  return (
    {
      400: 'MQ_VALIDATION_FAILED (webhook URLs: MQ_WEBHOOK_URL_FORBIDDEN)',
      401: 'MQ_UNAUTHORIZED: no, invalid or expired token',
      403: 'MQ_FORBIDDEN: missing role, not allowed, or another tenant',
      404: 'MQ_QUEUE_NOT_FOUND / MQ_SUBSCRIPTION_NOT_FOUND / MQ_MESSAGE_NOT_FOUND',
      409: 'MQ_QUEUE_EXISTS / MQ_SUBSCRIPTION_EXISTS',
      413: 'MQ_PAYLOAD_TOO_LARGE',
      429: 'MQ_QUOTA_EXCEEDED (queue backlog, queue or subscription quota, schema-check time: see Retry-After) / MQ_RATE_LIMITED (see Retry-After)',
      503: 'MQ_UNAVAILABLE',
    } as Record<number, string>
  )[status] ?? String(status);
}
