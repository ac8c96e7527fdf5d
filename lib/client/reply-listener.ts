import type { LoggerService } from '@nestjs/common';
import type { ProducerDeserializer, WritePacket } from '@nestjs/microservices';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { REPLY_STREAM_TTL_MS } from '../constants.js';
import { RequestTimeoutError } from '../errors/request-timeout.error.js';
import type { StreamEntry } from '../scripts/redis-streams-scripts.js';

type ReplyCallback = (packet: WritePacket) => void;

/**
 * A client instance's private reply stream: requests carry its key, servers XADD replies to it,
 * and one blocking XREAD loop routes them to the waiting `send()` callbacks by correlation id.
 * Replies can never reach another replica: the key holds this instance's random id. The stream
 * expires `REPLY_STREAM_TTL_MS` after its client stops refreshing it, and is deleted on close.
 */
export class ReplyListener {
  private readonly waiting = new Map<string, { callback: ReplyCallback; timer: NodeJS.Timeout }>();
  private loop: Promise<void> | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastId = '0';

  constructor(
    readonly key: string,
    private readonly reader: RedisConnection,
    private readonly command: () => RedisConnection | undefined,
    private readonly deserializer: ProducerDeserializer,
    private readonly logger: LoggerService,
  ) {}

  /** Waits for the replies of request `id`; returns the function that stops waiting. */
  register(id: string, topic: string, timeoutMs: number, callback: ReplyCallback): () => void {
    this.loop ??= this.start();
    const timer = setTimeout(() => {
      this.waiting.delete(id);
      callback({ err: new RequestTimeoutError(topic, timeoutMs), isDisposed: true });
    }, timeoutMs);
    timer.unref();
    this.waiting.set(id, { callback, timer });
    return () => this.forget(id);
  }

  /** Stops reading, fails pending requests, deletes the reply stream. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ttlTimer);
    for (const [id, { callback }] of this.waiting) {
      this.forget(id);
      callback({ err: new Error('Client closed before the reply arrived'), isDisposed: true });
    }
    this.reader.disconnect();
    await this.loop;
    await this.command()?.del(this.key).catch(() => undefined);
  }

  private async start(): Promise<void> {
    this.ttlTimer = setInterval(
      () => void this.command()?.pexpire(this.key, REPLY_STREAM_TTL_MS).catch(() => undefined),
      REPLY_STREAM_TTL_MS / 3,
    );
    this.ttlTimer.unref();
    while (!this.closed) {
      try {
        const reply = (await this.reader.xread('BLOCK', 2_000, 'STREAMS', this.key, this.lastId)) as
          | [string, StreamEntry[]][]
          | null;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          this.lastId = id;
          await this.route(fields);
        }
      } catch (err) {
        if (this.closed) return;
        this.logger.warn?.(`Reply stream ${this.key}: ${(err as Error).message}`);
        await new Promise(resolve => setTimeout(resolve, 500).unref());
      }
    }
  }

  private async route(fields: string[]): Promise<void> {
    let packet: unknown;
    try {
      packet = JSON.parse(fields[fields.indexOf('payload') + 1]);
    } catch {
      return; // not a reply of ours
    }
    const { id, err, response, isDisposed } = await this.deserializer.deserialize(packet);
    const waiter = this.waiting.get(id);
    if (!waiter) return; // timed out, unsubscribed, or a duplicate after a takeover
    if (isDisposed || err) {
      this.forget(id);
      waiter.callback({ err, response, isDisposed: true });
    } else {
      waiter.callback({ err, response });
    }
  }

  private forget(id: string): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiting.delete(id);
  }
}
