import { BaseRpcContext, type PacketMetadata } from '@nestjs/microservices';

type RedisStreamsContextArgs = [
  topic: string,
  messageId: string,
  entryId: string,
  group: string,
  consumer: string,
  attempt: number,
  headers: Record<string, string>,
  publishedAt: number,
  key: string | undefined,
];

/** Where the transport keeps a handler's original error (see `original-error-capture.ts`). */
export const ORIGINAL_ERROR = Symbol('mq.originalError');

/**
 * Context of one delivery of a message to an `@EventPattern` handler (`@Ctx()`).
 * @publicApi
 */
export class RedisStreamsContext extends BaseRpcContext<RedisStreamsContextArgs> {
  /** @internal The error the handler threw, before Nest's exception filter rewrote it. */
  [ORIGINAL_ERROR]?: unknown;

  constructor(args: RedisStreamsContextArgs) {
    super(args);
  }

  /** The topic (pattern) this message was published to. */
  getTopic(): string {
    return this.args[0];
  }

  /** The message id given at `emit`, the same on every delivery and retry. */
  getMessageId(): string {
    return this.args[1];
  }

  /** The Redis stream entry id (`<ms>-<seq>`) of this delivery. */
  getEntryId(): string {
    return this.args[2];
  }

  /** The consumer group handling it. */
  getGroup(): string {
    return this.args[3];
  }

  /** The consumer (this process) within the group. */
  getConsumer(): string {
    return this.args[4];
  }

  /** Delivery count: 1 on first delivery, 2 on first retry; a takeover after a crash counts. */
  getAttempt(): number {
    return this.args[5];
  }

  /** Headers set by the producer, including Nest 12 packet metadata. */
  getHeaders(): Record<string, string> {
    return this.args[6];
  }

  /**
   * The metadata the client attached to the packet, if any (Nest 12's `getMetadata()`, as on
   * `RedisContext` and `TcpContext`): `packet.metadata` set by a `ClientProxy` dispatch hook.
   * Metadata and record headers travel as one header map, so this is `getHeaders()`, or
   * `undefined` when the message carries none.
   */
  getMetadata(): PacketMetadata | undefined {
    const headers = this.args[6];
    return headers && Object.keys(headers).length > 0 ? headers : undefined;
  }

  /** When the producer published the message. */
  getPublishedAt(): Date {
    return new Date(this.args[7]);
  }

  /** The ordering / partition key set with `setKey`, if any. */
  getKey(): string | undefined {
    return this.args[8];
  }
}
