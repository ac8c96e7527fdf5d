import type { ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter, RpcException } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import { ORIGINAL_ERROR, RedisStreamsContext } from '../ctx-host/redis-streams.context.js';

const INSTALLED = Symbol.for('nestjs-redis-streams-transport.originalErrorCapture');

/** What Nest's default filter answers for an error that is not an `RpcException`. */
const UNKNOWN_ERROR = { status: 'error', message: 'Internal server error' } as const;

/**
 * Nest runs a handler's error through its RPC exception filter before the transport sees it, and
 * the default filter replaces any error that is not an `RpcException` with
 * `{ status: 'error', message: 'Internal server error' }`. Retries and dead letters need the real
 * error, so this wraps the default filter once, process-wide: when the filtered call is one of
 * ours (its second argument is a `RedisStreamsContext`), the original error is kept on that
 * context. The default filter would also log the error with its whole stack at ERROR level, on
 * every attempt; for our calls the transport logs each failure itself (one `warn` line per
 * attempt, one `error` line per dead letter), so the filter's answer is given without that log.
 * Other transports' calls pass through unchanged.
 */
export function installOriginalErrorCapture(): void {
  const proto = BaseRpcExceptionFilter.prototype as unknown as Record<symbol | string, unknown>;
  if (proto[INSTALLED]) return;
  const original = BaseRpcExceptionFilter.prototype.catch;
  BaseRpcExceptionFilter.prototype.catch = function (this: BaseRpcExceptionFilter, exception: unknown, host: ArgumentsHost) {
    const ctx = host?.getArgByIndex?.(1);
    if (!(ctx instanceof RedisStreamsContext)) return original.call(this, exception, host);
    if (ctx[ORIGINAL_ERROR] === undefined) ctx[ORIGINAL_ERROR] = exception;
    if (exception instanceof RpcException) return original.call(this, exception, host);
    return throwError(() => ({ ...UNKNOWN_ERROR }));
  } as typeof original;
  proto[INSTALLED] = true;
}
