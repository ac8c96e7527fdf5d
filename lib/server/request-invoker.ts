import type { Serializer, WritePacket } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import type { DecodedEnvelope } from '../codec/envelope.js';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { REPLY_STREAM_MAX_LEN, REPLY_STREAM_TTL_MS } from '../constants.js';
import { RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import { UnrecoverableMessageError } from '../errors/unrecoverable-message.error.js';
import { createContext, deserialize, type HandlerFn, type InvokerContext } from './handler-invoker.js';
import type { Delivery } from './settler.js';
import type { InvokeHandlers } from './topic-consumer.js';

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
 * Builds the per-delivery function of a `@MessagePattern` topic: runs the handler, XADDs every
 * response (and the final `isDisposed`) to the requester's private reply stream, and resolves once
 * the response stream completed, so the request is acked only after its replies are written. A
 * handler error travels to the caller as the reply's `err` (Nest's semantics), not as a retry.
 */
export function createRequestInvoker(c: RequestInvokerContext): InvokeHandlers {
  return async (envelope: DecodedEnvelope, delivery: Delivery): Promise<void> => {
    const { correlationId, replyTo } = envelope;
    if (!correlationId || !replyTo) {
      throw new UnrecoverableMessageError(`A request on "${c.topic}" needs "corr" and "reply" fields: publish it with client.send()`);
    }
    const ctx = createContext(c, envelope, delivery);
    const packet = await deserialize(c, envelope, { id: correlationId });
    await new Promise<void>((resolve, reject) => {
      const respond = async (out: WritePacket) => {
        const payload = JSON.stringify(c.serializer.serialize({ ...out, id: correlationId }));
        try {
          await c.command
            .multi()
            .xadd(replyTo, 'MAXLEN', '~', REPLY_STREAM_MAX_LEN, '*', 'corr', correlationId, 'payload', payload)
            .pexpire(replyTo, REPLY_STREAM_TTL_MS)
            .exec();
        } catch (err) {
          reject(err); // not acked: the request is retried and its replies written again
          return;
        }
        if (out.isDisposed) resolve();
      };
      Promise.resolve(c.handleRequest(ctx, async () => c.toObservable(await c.handler(packet.data, ctx)), respond)).catch(reject);
    });
  };
}
