import { RpcException } from '@nestjs/microservices';

/** Marker carried through Nest's RPC exception filter, which rewrites unknown errors. */
export const UNRECOVERABLE_MARKER = '__mqUnrecoverable';

/**
 * Throw it from a handler to dead-letter the message at once, without retries.
 *
 * It extends `RpcException` so that, even under a custom exception filter that does not
 * call the base filter, its message and marker reach the transport intact.
 */
export class UnrecoverableMessageError extends RpcException {
  constructor(message: string) {
    super({ status: 'error', message, [UNRECOVERABLE_MARKER]: true });
    this.name = 'UnrecoverableMessageError';
    this.message = message;
  }
}
