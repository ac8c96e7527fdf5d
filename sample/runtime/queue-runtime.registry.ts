import { Injectable } from '@nestjs/common';
import type { QueuePayloadSettings } from '../payload/queue-payload.js';

/** What the running service needs to know of one queue, without asking PostgreSQL. */
export interface QueueRuntime {
  topic: string;
  /** Publishing is refused (429) once the queue's backlog (unacked + unread + delayed) reaches this; undefined = unbounded. */
  maxLength: number | undefined;
  /** Acked entries older than this are trimmed by the retention sweeper (ms). */
  retentionMs: number;
  /** Format, compression, encryption and schema of its payloads (absent: plain JSON). */
  payload?: QueuePayloadSettings;
}

/**
 * Every queue of every tenant, as last read from PostgreSQL by `RuntimeSync` (at start-up, after
 * each admin mutation, and every `SYNC_INTERVAL_MS`): what the retention sweeper and the gauges
 * work from.
 */
@Injectable()
export class QueueRuntimeRegistry {
  private queues = new Map<string, QueueRuntime>();

  /** Replaces the whole set (what PostgreSQL holds now). */
  replaceAll(queues: QueueRuntime[]): void {
    this.queues = new Map(queues.map(q => [q.topic, q]));
  }

  /** Adds or updates one queue at once (the replica that made the change need not wait for a sync). */
  set(queue: QueueRuntime): void {
    this.queues.set(queue.topic, queue);
  }

  /** Forgets one queue. */
  delete(topic: string): void {
    this.queues.delete(topic);
  }

  /** The max length of a topic. */
  maxLengthOf(topic: string): number | undefined {
    return this.queues.get(topic)?.maxLength;
  }

  /** The payload settings of a topic (the client's codec, compression, key and schema follow them). */
  payloadOf(topic: string): QueuePayloadSettings | undefined {
    return this.queues.get(topic)?.payload;
  }

  /** Every queue. */
  all(): QueueRuntime[] {
    return [...this.queues.values()];
  }
}
