import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';

/** A URL (`redis://…`, `rediss://…`) plus optional ioredis options applied on top of it. */
export interface RedisStreamsUrlConnection {
  /** Connection URL, e.g. `redis://user:pass@127.0.0.1:6379/0`. */
  url: string;
  /** ioredis options merged over what the URL says. */
  options?: RedisOptions;
}

/** A Redis Cluster: seed nodes and ioredis cluster options. */
export interface RedisStreamsClusterConnection {
  cluster: {
    /** Seed nodes; the rest of the cluster is discovered. */
    nodes: ClusterNode[];
    /** ioredis `ClusterOptions` (e.g. `redisOptions` for passwords and TLS). */
    options?: ClusterOptions;
  };
}

/**
 * How to reach Redis: plain ioredis `RedisOptions`, a `{ url }`, or a `{ cluster }`.
 * Retry strategy, offline queue and lazy connect are managed by the transport.
 */
export type RedisStreamsConnectionOptions =
  | RedisOptions
  | RedisStreamsUrlConnection
  | RedisStreamsClusterConnection;
