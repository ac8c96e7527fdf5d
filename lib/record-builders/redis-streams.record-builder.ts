/** Per-message publishing options. */
export interface RedisStreamsRecordOptions {
  /** Headers delivered with the message (`ctx.getHeaders()`). */
  headers?: Record<string, string>;
  /** Ordering / partition key (`ctx.getKey()`). */
  key?: string;
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

  /** Returns the record. */
  build(): RedisStreamsRecord<TData> {
    return new RedisStreamsRecord(this.data as TData, { ...this.options });
  }
}
