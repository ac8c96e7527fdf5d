import type { LoggerService } from '@nestjs/common';
import type { ProducerDeserializer, WritePacket } from '@nestjs/microservices';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { REPLY_STREAM_TTL_MS } from '../constants.js';
import { ReplyInterruptedError } from '../errors/reply-interrupted.error.js';
import { RequestTimeoutError } from '../errors/request-timeout.error.js';
import type { StreamEntry } from '../scripts/redis-streams-scripts.js';
import { ReplySequence } from './reply-sequence.js';

type ReplyCallback = (packet: WritePacket) => void;

/** A `send()` waiting for its replies. */
interface Waiter {
  topic: string;
  callback: ReplyCallback;
  timer: NodeJS.Timeout;
  sequence: ReplySequence;
}

/**
 * A client instance's private reply stream: requests carry its key, servers XADD replies to it,
 * and one blocking XREAD loop routes them to the waiting `send()` callbacks by correlation id.
 * Replies can never reach another replica: the key holds this instance's random id. The stream
 * expires `REPLY_STREAM_TTL_MS` after its client stops refreshing it, and is deleted on close.
 * Each reply names the attempt that produced it and its position (see `ReplySequence`), so a
 * takeover or a re-sent write never shows the caller a value twice.
 */
export class ReplyListener {
  private readonly waiting = new Map<string, Waiter>();
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
    this.waiting.set(id, { topic, callback, timer, sequence: new ReplySequence() });
    return () => this.forget(id);
  }

  /** Stops reading, fails pending requests, deletes the reply stream (through `command`). */
  async close(command = this.command()): Promise<void> {
    this.closed = true;
    clearInterval(this.ttlTimer);
    for (const [id, { callback }] of this.waiting) {
      this.forget(id);
      callback({ err: new Error('Client closed before the reply arrived'), isDisposed: true });
    }
    this.reader.disconnect();
    await this.loop;
    await command?.del(this.key).catch(() => undefined);
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
      packet = JSON.parse(field(fields, 'payload')!);
    } catch {
      return; // not a reply of ours
    }
    const { id, err, response, isDisposed } = await this.deserializer.deserialize(packet);
    const waiter = this.waiting.get(id);
    if (!waiter) return; // timed out, unsubscribed, or answered already
    // Replies of servers that do not number them count as one attempt, in order.
    const attempt = Number(field(fields, 'att') ?? 0);
    const seq = Number(field(fields, 'seq') ?? waiter.sequence.deliveredCount);
    const verdict = waiter.sequence.accept(attempt, seq);
    if (verdict === 'ignore') return;
    if (verdict === 'interrupted') {
      this.forget(id);
      const { currentAttempt, deliveredCount } = waiter.sequence;
      waiter.callback({ err: new ReplyInterruptedError(waiter.topic, currentAttempt!, attempt, deliveredCount), isDisposed: true });
    } else if (isDisposed || err) {
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

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
