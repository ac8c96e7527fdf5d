/** What happened to one delivery of a message. */
export type MessageOutcome = 'acked' | 'retried' | 'dead_lettered' | 'dropped';

/** One settled delivery, as reported to observers (metrics, consumption records). */
export interface MessageSettledEvent {
  topic: string;
  group: string;
  consumer: string;
  /** Message id (stable across retries); `undefined` for an entry that could not be decoded. */
  messageId: string | undefined;
  /** Stream entry id of this delivery. */
  entryId: string;
  /** Delivery count: 1 on first delivery. */
  attempt: number;
  outcome: MessageOutcome;
  /** Handler time in ms (0 when no handler ran). */
  durationMs: number;
  /** When the producer published it (epoch ms); `undefined` for undecodable entries. */
  publishedAt: number | undefined;
  /** When the next attempt is due (epoch ms), for `retried`. */
  nextAttemptAt?: number;
  /** The handler's error, for every outcome but `acked`. */
  error?: string;
  headers?: Record<string, string>;
}

/** One published message, as reported to observers. */
export interface MessagePublishedEvent {
  topic: string;
  messageId: string;
  /** `undefined` while the message waits in the delayed set. */
  entryId: string | undefined;
  publishedAt: number;
  deliverAt?: number;
  key?: string;
  headers: Record<string, string>;
  payloadSize: number;
}

/** A consumer group starting to consume a topic. */
export interface ConsumerStartedEvent {
  topic: string;
  group: string;
  consumer: string;
}

/**
 * The transport reports through this interface and never imports what implements it
 * (metrics, TypeORM recording). Every method must return quickly and never throw:
 * it is called on the hot path.
 */
export interface RedisStreamsObserver {
  onConsumerStarted?(event: ConsumerStartedEvent): void;
  onMessageSettled?(event: MessageSettledEvent): void;
  onMessagePublished?(event: MessagePublishedEvent): void;
}
