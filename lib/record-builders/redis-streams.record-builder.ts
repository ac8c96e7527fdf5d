/** Per-message publishing options. */
export interface RedisStreamsRecordOptions {
  /** Headers delivered with the message (`ctx.getHeaders()`). */
  headers?: Record<string, string>;
  /** Ordering / partition key (`ctx.getKey()`). */
  key?: string;
  /** Deliver no earlier than this time (epoch ms). */
  deliverAt?: number;
  /** Publish at most once per id within the client's `deduplicationWindowMs`. */
  deduplicationId?: string;
  /**
   * The message id to publish under, instead of a new UUID: a message re-published from a durable
   * source (e.g. an outbox row) keeps one id, so an idempotent consumer recognises the copy.
   */
  messageId?: string;
}

/**
 * A payload plus publishing options; pass it as the data of `client.emit(topic, record)`.
 * @publicApi
 */
export class RedisStreamsRecord<TData = any> {
  constructor(
    readonly data: TData,
    public options: RedisStreamsRecordOptions = {},
  ) {}
}

/**
 * Builds a `RedisStreamsRecord`.
 * @publicApi
 */
export class RedisStreamsRecordBuilder<TData = any> {
  private options: RedisStreamsRecordOptions = {};

  constructor(private data?: TData) {}

  /** Sets the payload. */
  setData(data: TData): this {
    this.data = data;
    return this;
  }

  /** Adds headers (string → string), merged over those set before. */
  setHeaders(headers: Record<string, string>): this {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') throw new TypeError(`Header "${name}" must be a string`);
    }
    this.options.headers = { ...this.options.headers, ...headers };
    return this;
  }

  /** Sets the ordering / partition key. */
  setKey(key: string): this {
    this.options.key = key;
    return this;
  }

  /** Delivers the message `ms` milliseconds from now (any length; survives restarts). */
  setDelay(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Delay must be a finite number ≥ 0, got ${ms}`);
    this.options.deliverAt = Date.now() + ms;
    return this;
  }

  /** Delivers the message at `date` (a Date or epoch ms); a past time means now. */
  setDeliverAt(date: Date | number): this {
    const at = typeof date === 'number' ? date : date.getTime();
    if (!Number.isFinite(at)) throw new RangeError(`Invalid delivery time: ${String(date)}`);
    this.options.deliverAt = at;
    return this;
  }

  /**
   * Publishes the message at most once per `id` within the client's `deduplicationWindowMs`
   * (default 5 min): a second emit with the same id publishes nothing and resolves with the first
   * message's id. This makes retrying an emit that rejected with `PublishOutcomeUnknownError` safe:
   * set the same id on every attempt.
   */
  setDeduplicationId(id: string): this {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('Deduplication id must be a non-empty string');
    this.options.deduplicationId = id;
    return this;
  }

  /**
   * Publishes under this message id instead of a new UUID (`ctx.getMessageId()` on the consumer).
   * Meant for re-publishing from a durable source, such as an outbox row; ids must stay unique.
   */
  setMessageId(id: string): this {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
      throw new TypeError('Message id must be a non-empty string of at most 64 characters');
    }
    this.options.messageId = id;
    return this;
  }

  /** Returns the record. */
  build(): RedisStreamsRecord<TData> {
    return new RedisStreamsRecord(this.data as TData, { ...this.options });
  }
}
