import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { RECONNECT_MAX_DELAY_MS } from '../constants.js';
import type {
  RedisStreamsClusterConnection,
  RedisStreamsConnectionOptions,
  RedisStreamsUrlConnection,
} from '../interfaces/redis-streams-connection-options.interface.js';

/** A standalone or cluster ioredis connection. */
export type RedisConnection = Redis | Cluster;

/** What the transport decides about a connection, on top of the user's options. */
export interface ConnectionBehaviour {
  /** Returns true once the owner was closed: stop reconnecting. */
  isClosed: () => boolean;
  /**
   * Server (`true`): queue commands while disconnected, retry them across reconnects (its writes
   * are acks and idempotent scripts). Client and admin (`false`): fail a command at once when not
   * connected, fail an in-flight command when its connection drops, and never re-send one: a
   * re-sent XADD would write a message twice.
   */
  offlineQueue: boolean;
  /** ioredis `commandTimeout`; undefined for blocking readers. */
  commandTimeoutMs?: number;
  /** ioredis `connectionName`, shown by `CLIENT LIST`. */
  connectionName?: string;
  /** Default of ioredis `enableAutoPipelining` (the user's connection options may override it). */
  autoPipelining?: boolean;
}

/** How long a dropped connection waits for its socket to close before destroying it (ioredis `disconnectTimeout`). */
const DISCONNECT_TIMEOUT_MS = 100;

/** Exponential retry delay from 50 ms up to 2 s, with jitter (reconnects, failed reads). */
export function retryDelay(times: number): number {
  const base = Math.min(RECONNECT_MAX_DELAY_MS, 50 * 2 ** Math.min(times, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** ioredis retry strategy: `retryDelay`, or `null` (stop reconnecting) once the owner is closed. */
export function reconnectDelay(times: number, isClosed: () => boolean): number | null {
  return isClosed() ? null : retryDelay(times);
}

/** Creates a lazily connecting ioredis connection from any supported connection option shape. */
export function createRedisConnection(
  connection: RedisStreamsConnectionOptions | undefined,
  behaviour: ConnectionBehaviour,
): RedisConnection {
  const managed: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: behaviour.offlineQueue,
    // The server's commands (acks, scripts) wait out an outage. The client's fail fast: with 0,
    // a command in flight when the connection drops is rejected at once instead of waiting for
    // the reconnect, and it is never re-sent (its outcome is unknown, not "failed").
    maxRetriesPerRequest: behaviour.offlineQueue ? null : 0,
    autoResendUnfulfilledCommands: behaviour.offlineQueue,
    commandTimeout: behaviour.commandTimeoutMs,
    connectionName: behaviour.connectionName,
    retryStrategy: times => reconnectDelay(times, behaviour.isClosed),
  };
  const defaults = { enableAutoPipelining: behaviour.autoPipelining ?? false };
  // ioredis' disconnect() waits up to disconnectTimeout (2 s by default) for the socket's 'close',
  // holding the process meanwhile — the whole time when the socket was already gone (a close during
  // an outage): the app would not exit for 2 s. Ours close with QUIT first (closeConnection), so a
  // disconnect only ever drops a connection that has nothing left to say.
  const socketDefaults = { disconnectTimeout: DISCONNECT_TIMEOUT_MS };
  if (isClusterConnection(connection)) {
    const { nodes, options } = connection.cluster;
    return new Cluster(nodes, {
      ...defaults,
      ...options,
      lazyConnect: true,
      enableOfflineQueue: behaviour.offlineQueue,
      // ioredis re-sends a command whose node connection closed after this delay: off for the
      // client, for the same reason as autoResendUnfulfilledCommands.
      ...(!behaviour.offlineQueue && { retryDelayOnFailover: 0 }),
      clusterRetryStrategy: times => reconnectDelay(times, behaviour.isClosed),
      redisOptions: { ...socketDefaults, ...options?.redisOptions, ...managed, lazyConnect: undefined },
    });
  }
  if (isUrl(connection)) {
    return new Redis(connection.url, { ...defaults, ...socketDefaults, ...connection.options, ...managed });
  }
  return new Redis({ host: '127.0.0.1', port: 6379, ...defaults, ...socketDefaults, ...connection, ...managed });
}

/** True for `{ cluster: { nodes, options } }`. */
export function isClusterConnection(c: RedisStreamsConnectionOptions | undefined): c is RedisStreamsClusterConnection {
  return !!c && typeof (c as RedisStreamsClusterConnection).cluster === 'object';
}

function isUrl(c: RedisStreamsConnectionOptions | undefined): c is RedisStreamsUrlConnection {
  return !!c && typeof (c as RedisStreamsUrlConnection).url === 'string';
}

/** Resolves once the connection is ready, or rejects after `timeoutMs` with the last error seen. */
export function waitUntilReady(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'wait') {
    redis.connect().catch(() => undefined); // errors surface through 'error' events and the timeout
  }
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const onReady = () => done();
    const onError = (err: Error) => (lastError = err);
    const onEnd = () => done(new Error('connection closed'));
    const timer = setTimeout(
      () => done(new Error(`not ready after ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`)),
      timeoutMs,
    );
    function done(err?: Error) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    }
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('end', onEnd);
  });
}

/**
 * Closes a connection: QUIT when it is ready (pending replies arrive first), else disconnect at
 * once; never waits more than `timeoutMs` (a QUIT during an outage would wait forever). Idempotent.
 */
export async function closeConnection(redis: RedisConnection | undefined, timeoutMs = 2_000): Promise<void> {
  if (!redis || redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  const timer = setTimeout(() => redis.disconnect(), timeoutMs);
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
