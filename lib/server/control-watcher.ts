import type { RedisConnection } from '../connection/create-redis-connection.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import type { ControlEventType, StreamEntry } from '../scripts/redis-streams-scripts.js';

/** A control event of the prefix: something changed for one (topic, group). */
export interface ControlEvent {
  type: ControlEventType;
  topic: string;
  group: string;
}

/** Events read per poll; a longer backlog is read by the next polls. */
const EVENTS_PER_POLL = 500;

/**
 * Follows the prefix's control events (`StreamKeys.controlEvents`: pause, resume, replay) with one
 * non-blocking XREAD per poll, whatever the number of topics and groups. Only events written after
 * `start()` are seen; a consumer reads its paused state itself when it starts.
 */
export class ControlWatcher {
  private lastId = '0-0';

  constructor(
    private readonly command: RedisConnection,
    private readonly keys: StreamKeys,
  ) {}

  /** Remembers where the events stream ends now. */
  async start(): Promise<void> {
    const [last] = (await this.command.xrevrange(this.keys.controlEvents(), '+', '-', 'COUNT', 1)) as StreamEntry[];
    if (last) this.lastId = last[0];
  }

  /** The events written since the last poll. */
  async poll(): Promise<ControlEvent[]> {
    const reply = (await this.command.xread('COUNT', EVENTS_PER_POLL, 'STREAMS', this.keys.controlEvents(), this.lastId)) as
      | [string, StreamEntry[]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (!entries.length) return [];
    this.lastId = entries[entries.length - 1][0];
    const events: ControlEvent[] = [];
    for (const [, fields] of entries) {
      const event: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]] = fields[i + 1];
      if (event.topic !== undefined && event.group !== undefined) {
        events.push({ type: event.type as ControlEventType, topic: event.topic, group: event.group });
      }
    }
    return events;
  }
}
