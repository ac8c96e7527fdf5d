import { RpcException, type Serializer, type WritePacket } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { DecodedEnvelope } from '../codec/envelope.js';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { REPLY_STREAM_MAX_LEN, REPLY_STREAM_TTL_MS } from '../constants.js';
import { RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import { UnrecoverableMessageError } from '../errors/unrecoverable-message.error.js';
import type { Delivery, InvokeHandlers } from './delivery.js';
import { createContext, deserialize, type HandlerFn, type InvokerContext } from './handler-invoker.js';

/** What a request (`@MessagePattern`) invoker needs beyond an event invoker. */
export interface RequestInvokerContext extends Omit<InvokerContext, 'handlers' | 'runWithHooks' | 'hasHooks'> {
  handler: HandlerFn;
  serializer: Serializer;
  command: RedisConnection;
  /** Nest's `handleRequest`, bound to the server: processing hooks + `send()` of the response stream. */
  handleRequest: (
    ctx: RedisStreamsContext,
    produce: () => Promise<Observable<unknown>>,
    respond: (packet: WritePacket) => Promise<unknown>,
  ) => unknown;
  toObservable: (result: unknown) => Observable<unknown>;
}

/**
 * Builds the per-delivery function of a `@MessagePattern` topic (or a raw request handler added
 * with `addHandler(pattern, fn, false)`): runs the handler, XADDs every response (and the final
 * `isDisposed`) to the requester's private reply stream, and resolves once the response stream
 * completed, so the request is acked only after its replies are written.
 *
 * A request gets one answer, and an error is an answer (Nest's semantics): a handler that throws
 * or whose Observable errors sends `{ err }` to the caller and the request is acked — it is never
 * retried or dead-lettered. Only a failure to write the reply leaves the request pending (retried
 * per policy), and a crashed consumer's request is taken over like any message; each reply names
 * its attempt and position so the caller never sees a value twice (see `ReplySequence`).
 */
export function createRequestInvoker(c: RequestInvokerContext): InvokeHandlers {
  return async (envelope: DecodedEnvelope, delivery: Delivery): Promise<void> => {
    const { correlationId, replyTo } = envelope;
    if (!correlationId || !replyTo) {
      throw new UnrecoverableMessageError(`A request on "${c.topic}" needs "corr" and "reply" fields: publish it with client.send()`);
    }
    const ctx = createContext(c, envelope, delivery);
    const packet = await deserialize(c, envelope, { id: correlationId });
    const attempt = String(delivery.attempt);
    let seq = 0;
    await new Promise<void>((resolve, reject) => {
      const respond = async (out: WritePacket) => {
        const reply = out.err === undefined ? out : { ...out, err: toReplyError(out.err) };
        const payload = JSON.stringify(c.serializer.serialize({ ...reply, id: correlationId }));
        try {
          await c.command
            .multi()
            .xadd(replyTo, 'MAXLEN', '~', REPLY_STREAM_MAX_LEN, '*',
              'corr', correlationId, 'att', attempt, 'seq', String(seq++), 'payload', payload)
            .pexpire(replyTo, REPLY_STREAM_TTL_MS)
            .exec();
        } catch (err) {
          reject(err); // not acked: the request is retried and its replies written again
          return;
        }
        if (out.isDisposed) resolve();
      };
      // A raw handler's error is not run through Nest's exception filter: turn it into an
      // erroring response stream, so it reaches the caller as `@MessagePattern` errors do.
      const produce = async () => {
        try {
          return c.toObservable(await c.handler(packet.data, ctx));
        } catch (err) {
          return throwError(() => err);
        }
      };
      Promise.resolve(c.handleRequest(ctx, produce, respond)).catch(reject);
    });
  };
}

/**
 * The `err` of a reply as JSON can carry it. Nest's exception filter already made `@MessagePattern`
 * errors plain objects; a raw handler's error is shaped the way that filter shapes them: an
 * `RpcException`'s error object, or `{ status: 'error', message }` (an `Error` would serialize to `{}`).
 */
function toReplyError(err: unknown): unknown {
  if (err instanceof RpcException) {
    const error = err.getError();
    return typeof error === 'object' && error !== null ? error : { status: 'error', message: error };
  }
  if (err instanceof Error) return { status: 'error', message: err.message };
  return err;
}
