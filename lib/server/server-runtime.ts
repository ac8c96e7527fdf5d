import type { LoggerService } from '@nestjs/common';
import { CONTROL_POLL_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DELAYED_POLL_MS, DEFAULT_HOUSEKEEPING_INTERVAL_MS, DEFAULT_RETENTION_MS } from '../constants.js';
import { closeConnection, waitUntilReady, type RedisConnection } from '../connection/create-redis-connection.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { ControlWatcher, type ControlEvent } from './control-watcher.js';
import { DueTimer } from './due-timer.js';
import type { GroupConsumer } from './group-consumer.js';
import { Maintenance } from './maintenance.js';
import { PeerWatch } from './peer-watch.js';

/** Key of a (topic, group) consumer in a server's map. */
export function consumerKey(topic: string, group: string): string {
  return `${topic}\u0000${group}`;
}

/**
 * What a listening server shares between all its consumers, whatever their number: the command
 * connection and its script caller, the one timer for everything due, and one maintenance tick
 * (every `CONTROL_POLL_MS`) that applies control events (pause, resume, replay), beats the
 * heartbeat, and runs the spread housekeeping.
 */
export class ServerRuntime {
  readonly scripts: RedisStreamsScripts;
  readonly due: DueTimer;
  readonly maintenance: Maintenance;
  private readonly control: ControlWatcher;
  private readonly peers: PeerWatch;
  private readonly timer: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;

  constructor(
    readonly command: RedisConnection,
    keys: StreamKeys,
    options: RedisStreamsServerOptions,
    consumerName: string,
    /** The server's running consumers by `consumerKey`, read at every tick. */
    private readonly consumers: ReadonlyMap<string, GroupConsumer>,
    logger: LoggerService,
  ) {
    this.scripts = new RedisStreamsScripts(command);
    this.control = new ControlWatcher(command, keys);
    this.due = new DueTimer(command, this.scripts, keys, options.delayedPollMs ?? DEFAULT_DELAYED_POLL_MS, logger);
    this.maintenance = new Maintenance(
      command,
      this.scripts,
      keys,
      {
        retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
        housekeepingIntervalMs: options.housekeepingIntervalMs ?? DEFAULT_HOUSEKEEPING_INTERVAL_MS,
      },
      logger,
    );
    this.peers = new PeerWatch(command, keys, consumerName);
    this.timer = setInterval(() => void this.tick(), CONTROL_POLL_MS);
    this.timer.unref();
  }

  /**
   * Waits for the connection, reads where the control stream is, beats the first heartbeat (so a
   * crash right after start is noticed too) and starts the due timer. Resolves with the last
   * heartbeats of peers found dead.
   */
  async start(): Promise<number[]> {
    await waitUntilReady(this.command, DEFAULT_CONNECT_TIMEOUT_MS);
    const [, died] = await Promise.all([this.control.start(), this.peers.tick()]);
    this.due.start();
    return died;
  }

  /** Stops the tick and the due timer (consumers are stopped by the server). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.due.stop();
  }

  /** Leaves the heartbeat set (a clean shutdown is no crash) and closes the command connection. */
  async close(): Promise<void> {
    if (this.command.status === 'ready') await this.peers.leave().catch(() => undefined);
    await closeConnection(this.command);
  }

  /** One maintenance tick: control events, heartbeat (peers found dead), then the spread housekeeping. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const consumers = [...this.consumers.values()];
      const [events, died] = await Promise.all([
        this.control.poll().catch(() => [] as ControlEvent[]),
        this.peers.tick().catch(() => [] as number[]),
      ]);
      await Promise.all(events.map(event => this.applyControl(event)));
      for (const lastBeatAt of died) this.maintenance.peerDied(lastBeatAt, consumers);
      await this.maintenance.run(consumers);
    } finally {
      this.ticking = false;
    }
  }

  private async applyControl(event: ControlEvent): Promise<void> {
    const consumer = this.consumers.get(consumerKey(event.topic, event.group));
    if (!consumer) return;
    if (event.type === 'replay') {
      this.due.retryAt(consumer, Date.now());
      return;
    }
    // The paused set is the truth (events may arrive out of order with the sets they announce).
    const paused = await this.command.sismember(consumer.keys.paused, event.group).catch(() => undefined);
    if (paused !== undefined) consumer.setPaused(paused === 1);
  }
}
