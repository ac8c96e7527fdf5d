import { Cluster } from 'ioredis';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import { RedisUnavailableError } from '../errors/redis-unavailable.error.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';

/** A batch this full is sent at once instead of at the end of the turn. */
const MAX_BATCH_MESSAGES = 256;
const MAX_BATCH_CHARS = 1 << 20;

interface PendingAppend {
  /** The message's field list (a lone message is sent as a plain XADD of it). */
  fields: string[];
  resolve: (entryId: string) => void;
  reject: (err: unknown) => void;
}

interface StreamBatch {
  /** The field names every message of the batch has, in order. */
  names: string[];
  /** Their values, `names.length` per message. */
  values: string[];
  items: PendingAppend[];
  chars: number;
}

/**
 * Collects the plain appends (`XADD`) of one event-loop turn per stream and sends each stream's as
 * one `publishBatch` script call when the turn ends (a lone message as a plain `XADD`): one command
 * per stream and turn instead of one per message, which is most of a producer's cost. A batch holds
 * messages with the same field names (sent once); a message with other names sends the batch before
 * it and starts the next. Order per stream is kept; a write that must follow the pending appends of
 * its stream calls `flush(stream)` first. Each append resolves with its entry id, or rejects with
 * what Redis answered for it or with the error of the whole call; with `RedisUnavailableError` when
 * the connection was not ready at the end of the turn (nothing was sent).
 */
export class PublishBatcher {
  private readonly batches = new Map<string, StreamBatch>();
  private scheduled = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
  ) {}

  /** Queues one append to `stream`; resolves with its entry id once Redis confirmed it. */
  append(stream: string, fields: string[]): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let batch = this.batches.get(stream);
      if (batch && !sameNames(batch.names, fields)) {
        this.flush(stream);
        batch = undefined;
      }
      if (!batch) {
        batch = { names: namesOf(fields), values: [], items: [], chars: 0 };
        this.batches.set(stream, batch);
      }
      batch.items.push({ fields, resolve, reject });
      for (let i = 1; i < fields.length; i += 2) {
        batch.values.push(fields[i]);
        batch.chars += fields[i].length;
      }
      if (batch.items.length >= MAX_BATCH_MESSAGES || batch.chars >= MAX_BATCH_CHARS) this.flush(stream);
      else if (!this.scheduled) {
        this.scheduled = true;
        process.nextTick(this.flushAll);
      }
    });
  }

  /** Sends the pending appends of `stream` now. */
  flush(stream: string): void {
    const batch = this.batches.get(stream);
    if (!batch) return;
    this.batches.delete(stream);
    this.send(stream, batch);
  }

  /** Sends every pending append now (end of the turn, or before the connection closes). */
  readonly flushAll = (): void => {
    this.scheduled = false;
    if (this.batches.size === 0) return;
    // Several streams: their calls leave in one socket write (a cluster routes them per slot).
    const socket = this.batches.size > 1 && !(this.redis instanceof Cluster) ? this.redis.stream : undefined;
    socket?.cork();
    for (const stream of [...this.batches.keys()]) this.flush(stream);
    socket?.uncork();
  };

  private send(stream: string, { names, values, items }: StreamBatch): void {
    // Checked right before the write: when not ready, nothing leaves (no offline queue).
    if (this.redis.status !== 'ready') {
      const error = new RedisUnavailableError(`connection ${this.redis.status}`);
      for (const item of items) item.reject(error);
      return;
    }
    if (items.length === 1) {
      const [item] = items;
      this.redis.xadd(stream, '*', ...item.fields).then(id => item.resolve(id as string), item.reject);
      return;
    }
    this.scripts.publishBatch(stream, names, values).then(
      replies => {
        for (let i = 0; i < items.length; i++) {
          const reply = replies[i];
          if (typeof reply === 'string') items[i].resolve(reply);
          else items[i].reject(reply ?? new Error('no reply for this message'));
        }
      },
      err => {
        for (const item of items) item.reject(err);
      },
    );
  }
}

function namesOf(fields: string[]): string[] {
  const names = new Array<string>(fields.length / 2);
  for (let i = 0; i < names.length; i++) names[i] = fields[2 * i];
  return names;
}

function sameNames(names: string[], fields: string[]): boolean {
  if (fields.length !== 2 * names.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== fields[2 * i]) return false;
  return true;
}
