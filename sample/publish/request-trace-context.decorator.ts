import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { traceContextOfRequest } from './trace-context.js';

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the caller's HTTP request, as message
 * headers: `{}` when it has none or an invalid one (see `traceContextOfRequest`).
 */
export const RequestTraceContext = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Record<string, string> => traceContextOfRequest(ctx.switchToHttp().getRequest<IncomingMessage>().headers),
);
