import type { RedisStreamsClientOptions } from '../../interfaces/redis-streams-client-options.interface.js';
import type { RedisStreamsConnectionOptions } from '../../interfaces/redis-streams-connection-options.interface.js';
import type { RedisStreamsServerOptions } from '../../interfaces/redis-streams-server-options.interface.js';

/** Options of `RedisStreamsModule` (what `forRoot` takes, or `forRootAsync`'s factory returns). */
export interface RedisStreamsModuleOptions {
  /** How to reach Redis: for the server, every client and the monitoring connection. @defaultValue `{ host: '127.0.0.1', port: 6379 }` */
  connection?: RedisStreamsConnectionOptions;
  /** Key namespace of the server and every client. @defaultValue 'mq' */
  prefix?: string;
  /**
   * Options of the provided `ServerRedisStreams` (connection and prefix come from above; an
   * `observer` given here is called besides the module's); `false`: no server is provided.
   * @defaultValue {}
   */
  server?: Omit<RedisStreamsServerOptions, 'connection' | 'prefix'> | false;
  /**
   * Options of each named client (see the `clients` extra), by name; `connection` and `prefix`
   * default to the module's, an `observer` is called besides the module's.
   * @defaultValue {}
   */
  clientOptions?: Record<string, RedisStreamsClientOptions>;
}
