import type { DecodedEnvelope } from '../codec/envelope.js';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import { UnrecoverableMessageError } from '../errors/unrecoverable-message.error.js';
import type { PayloadPipeline } from '../payload/payload-pipeline.js';
import type { MessageTracing, ProcessedMessage } from '../tracing/message-tracing.interface.js';
import type { Delivery, InvokeHandlers } from './delivery.js';

/** What wraps one consumer's handler invocation. */
export interface PayloadInvokerOptions {
  topic: string;
  group: string;
  consumer: string;
  payload: PayloadPipeline;
  tracing: MessageTracing | undefined;
  /** 0 or undefined = no timeout. */
  handlerTimeoutMs: number | undefined;
}

/**
 * Wraps the handler invocation of one (topic, group) consumer: decodes encoded payloads (decrypt,
 * decompress, codec) and validates them, then runs the handlers inside the consumer span and under
 * the handler timeout. A payload that cannot be decoded or fails its schema is unrecoverable: the
 * handler is not called and the entry is dead-lettered as it is (still encrypted). Plain JSON
 * entries without tracing or timeout pass through with one property check.
 */
export function wrapInvoker(invoke: InvokeHandlers, o: PayloadInvokerOptions): InvokeHandlers {
  const { payload, tracing, handlerTimeoutMs } = o;
  const validate = payload.validatesOnConsume;
  const prepare = (envelope: DecodedEnvelope): DecodedEnvelope => {
    if (!envelope.format && !validate) return envelope;
    let data = envelope.data;
    if (envelope.format) {
      try {
        data = payload.decode(o.topic, envelope.id, envelope.data as string, envelope.format);
      } catch (err) {
        throw new UnrecoverableMessageError(`payload cannot be decoded: ${(err as Error).message}`);
      }
    }
    if (validate) {
      try {
        payload.validate(o.topic, data);
      } catch (err) {
        throw new UnrecoverableMessageError((err as Error).message);
      }
    }
    return { ...envelope, data };
  };
  const timed: InvokeHandlers = handlerTimeoutMs
    ? (envelope, delivery) => withTimeout(invoke(envelope, delivery), handlerTimeoutMs, o.topic, envelope.id)
    : invoke;
  if (!tracing) {
    // No async wrapper on the hot path: a decode failure becomes a rejection, the rest is `timed`'s promise.
    return (envelope, delivery) => {
      let prepared: DecodedEnvelope;
      try {
        prepared = prepare(envelope);
      } catch (err) {
        return Promise.reject(err);
      }
      return timed(prepared, delivery);
    };
  }
  return (envelope, delivery) => {
    const message = processed(o, envelope, delivery);
    const ran = tracing.process(message, async () => timed(prepare(envelope), delivery));
    // Set when the span started (synchronously): kept with this delivery's retry, if it fails.
    delivery.attemptSpan = message.traceparent;
    return ran;
  };
}

function processed(o: PayloadInvokerOptions, envelope: DecodedEnvelope, delivery: Delivery): ProcessedMessage {
  return {
    topic: o.topic,
    group: o.group,
    consumer: o.consumer,
    messageId: envelope.id,
    entryId: delivery.entryId,
    attempt: delivery.attempt,
    headers: envelope.headers,
    previousAttempt: delivery.previousAttempt,
  };
}

/**
 * Rejects with `HandlerTimeoutError` once `ms` passed. The handler keeps running (JavaScript cannot
 * stop it), but the delivery is settled as failed: its lease is no longer extended, and whatever
 * the handler does later no longer decides the message's outcome.
 */
function withTimeout(run: Promise<void>, ms: number, topic: string, messageId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HandlerTimeoutError(topic, messageId, ms)), ms);
    run.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      err => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
