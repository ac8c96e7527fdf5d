import type { Deserializer } from '@nestjs/microservices';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import type { DecodedEnvelope } from '../codec/envelope.js';
import { ORIGINAL_ERROR, RedisStreamsContext } from '../ctx-host/redis-streams.context.js';
import type { Delivery, InvokeHandlers } from './delivery.js';

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
  /** A user deserializer; `undefined` = Nest's default, which returns our packet unchanged. */
  deserializer: Deserializer | undefined;
  runWithHooks: RunWithHooks;
  /** Whether Nest processing hooks are set (tracing): without any, the handler is called directly. */
  hasHooks: () => boolean;
}

/**
 * Builds the function a topic consumer calls per delivery: context, deserializer, then every
 * handler of the group awaited (value, Promise or Observable, as ServerKafka#handleEvent does).
 * A failure rejects with the handler's original error, kept on the context before Nest's
 * exception filter rewrote it.
 */
export function createHandlerInvoker(c: InvokerContext): InvokeHandlers {
  return (envelope: DecodedEnvelope, delivery: Delivery): Promise<void> => {
    const ctx = createContext(c, envelope, delivery);
    const ran = c.deserializer ? deserialize(c, envelope).then(({ data }) => runAll(c, data, ctx)) : runAll(c, envelope.data, ctx);
    return ran.then<void, never>(undefined, err => {
      throw ctx[ORIGINAL_ERROR] ?? err;
    });
  };
}

function runAll(c: InvokerContext, data: unknown, ctx: RedisStreamsContext): Promise<unknown> {
  if (c.handlers.length === 1) return runHandler(c, c.handlers[0], data, ctx);
  return Promise.all(c.handlers.map(handler => runHandler(c, handler, data, ctx)));
}

/** The context of one delivery, as handlers see it (`@Ctx()`). */
export function createContext(
  c: { topic: string; group: string; consumer: string },
  envelope: DecodedEnvelope,
  delivery: Delivery,
): RedisStreamsContext {
  return new RedisStreamsContext([
    c.topic, envelope.id, delivery.entryId, c.group, c.consumer,
    delivery.attempt, envelope.headers, envelope.publishedAt, envelope.key,
  ]);
}

/** Runs a user deserializer over `{ pattern, data, metadata }`. */
export async function deserialize(
  c: { topic: string; deserializer: Deserializer | undefined },
  envelope: DecodedEnvelope,
  extra?: { id: string },
): Promise<{ data: unknown }> {
  const raw = { pattern: c.topic, data: envelope.data, metadata: envelope.headers, ...extra };
  return c.deserializer ? c.deserializer.deserialize(raw, { channel: c.topic }) : raw;
}

/** The outcome comes from our own promise: a processing start hook need not return one. */
function runHandler(c: InvokerContext, handler: HandlerFn, data: unknown, ctx: RedisStreamsContext): Promise<unknown> {
  if (!c.hasHooks()) return runBare(handler, data, ctx);
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

/**
 * The hot path without processing hooks: the value, Promise or Observable the handler returned,
 * settled with one reaction (no async frame per message).
 */
function runBare(handler: HandlerFn, data: unknown, ctx: RedisStreamsContext): Promise<unknown> {
  let result: unknown;
  try {
    result = handler(data, ctx);
  } catch (err) {
    return Promise.reject(err);
  }
  // Any thenable is awaited (Promise.resolve returns a native promise as it is).
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') return Promise.resolve(result).then(completeObservable);
  return Promise.resolve(completeObservable(result));
}

/** A handler's Observable runs to completion (its last value is ignored); other values are done. */
function completeObservable(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : undefined;
}
