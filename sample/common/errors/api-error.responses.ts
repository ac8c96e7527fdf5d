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
    ...[401, 403, ...statuses].map(status => ApiResponse({ status, description: describe(status), schema: ERROR_SCHEMA })),
  );
}

function describe(status: number): string {
  return (
    {
      400: 'MQ_VALIDATION_FAILED',
      401: 'MQ_UNAUTHORIZED: no, invalid or expired token',
      403: 'MQ_FORBIDDEN: missing role, not allowed, or another tenant',
      404: 'MQ_QUEUE_NOT_FOUND / MQ_SUBSCRIPTION_NOT_FOUND',
      409: 'MQ_QUEUE_EXISTS / MQ_SUBSCRIPTION_EXISTS',
      413: 'MQ_PAYLOAD_TOO_LARGE',
      429: 'MQ_QUOTA_EXCEEDED',
      503: 'MQ_UNAVAILABLE',
    } as Record<number, string>
  )[status] ?? String(status);
}
