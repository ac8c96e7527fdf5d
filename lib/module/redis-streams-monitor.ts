import { Logger } from '@nestjs/common';
import {
  closeConnection,
  createRedisConnection,
  waitUntilReady,
  type RedisConnection,
} from '../connection/create-redis-connection.js';
import type { RedisStreamsConnectionOptions } from '../interfaces/redis-streams-connection-options.interface.js';

/**
 * The monitoring connection shared by the queue gauges and the health indicator, opened on first
 * use. Unlike the server's connections it has no offline queue: while Redis is unreachable its
 * commands fail at once instead of piling up, which is what a probe wants.
 */
export class RedisStreamsMonitor {
  private readonly logger = new Logger('RedisStreamsMonitor');
  private redis: RedisConnection | undefined;
  private closed = false;
  private lastErrorLogAt = 0;

  constructor(
    private readonly connection: RedisStreamsConnectionOptions | undefined,
    private readonly commandTimeoutMs = 2_000,
  ) {}

  /** The connection once it is ready; rejects when it is not within `timeoutMs`. */
  async ready(timeoutMs: number): Promise<RedisConnection> {
    if (this.closed) throw new Error('monitor connection closed');
    const redis = (this.redis ??= this.open());
    await waitUntilReady(redis, timeoutMs);
    return redis;
  }

  /** Closes the connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await closeConnection(this.redis);
  }

  private open(): RedisConnection {
    const redis = createRedisConnection(this.connection, {
      offlineQueue: false,
      commandTimeoutMs: this.commandTimeoutMs,
      isClosed: () => this.closed,
      connectionName: 'mq-monitor',
    });
    redis.on('error', (err: Error) => {
      // The health indicator reports outages; one log line a minute is enough here.
      const now = Date.now();
      if (!this.closed && now - this.lastErrorLogAt > 60_000) {
        this.lastErrorLogAt = now;
        this.logger.warn(`Redis monitor connection: ${err.message}`);
      }
    });
    return redis;
  }
}
