import type { Deserializer } from '@nestjs/microservices';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import type { DecodedEnvelope } from '../codec/envelope.js';
import { ORIGINAL_ERROR, RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import type { Delivery } from './settler.js';
import type { InvokeHandlers } from './topic-consumer.js';

/** A Nest message handler, or a plain function given to `server.subscribe()`. */
export type HandlerFn = (data: unknown, ctx: RedisStreamsContext) => unknown;

/** Nest's `runWithProcessingHooks`, bound to the server. */
export type RunWithHooks = (ctx: RedisStreamsContext, fn: (runEndHook: () => void) => Promise<void>) => void;

/** What an invoker needs to turn a decoded entry into handler calls. */
export interface InvokerContext {
  topic: string;
  group: string;
  consumer: string;
  handlers: HandlerFn[];
  deserializer: Deserializer;
  runWithHooks: RunWithHooks;
}

/**
 * Builds the function a topic consumer calls per delivery: context, deserializer, then every
 * handler of the group awaited (value, Promise or Observable, as ServerKafka#handleEvent does).
 * A failure rejects with the handler's original error, kept on the context before Nest's
 * exception filter rewrote it.
 */
export function createHandlerInvoker(c: InvokerContext): InvokeHandlers {
  return async (envelope: DecodedEnvelope, delivery: Delivery): Promise<void> => {
    const ctx = new RedisStreamsContext([
      c.topic, envelope.id, delivery.entryId, c.group, c.consumer,
      delivery.attempt, envelope.headers, envelope.publishedAt, envelope.key,
    ]);
    const decoded = c.deserializer.deserialize({ pattern: c.topic, data: envelope.data, metadata: envelope.headers }, { channel: c.topic });
    const packet = decoded instanceof Promise ? await decoded : decoded;
    try {
      if (c.handlers.length === 1) await runHandler(c, c.handlers[0], packet.data, ctx);
      else await Promise.all(c.handlers.map(handler => runHandler(c, handler, packet.data, ctx)));
    } catch (err) {
      throw ctx[ORIGINAL_ERROR] ?? err;
    }
  };
}

/** The outcome comes from our own promise: a processing start hook need not return one. */
function runHandler(c: InvokerContext, handler: HandlerFn, data: unknown, ctx: RedisStreamsContext): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    c.runWithHooks(ctx, async runEndHook => {
      try {
        const resultOrStream = await handler(data, ctx);
        if (isObservable(resultOrStream)) {
          await lastValueFrom(resultOrStream.pipe(finalize(runEndHook)), { defaultValue: undefined });
        } else {
          runEndHook();
        }
        resolve();
      } catch (err) {
        runEndHook();
        reject(err);
      }
    });
  });
}
