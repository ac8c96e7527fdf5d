import type { PayloadOptions } from '../payload/payload-options.interface.js';
import type { RedisStreamsConnectionOptions } from './redis-streams-connection-options.interface.js';

/** Options of `RedisStreamsAdmin`. */
export interface RedisStreamsAdminOptions {
  /** How to reach Redis. @defaultValue `{ host: '127.0.0.1', port: 6379 }` */
  connection?: RedisStreamsConnectionOptions;
  /** Key namespace; must match the servers' and clients'. @defaultValue 'mq' */
  prefix?: string;
  /** How long an operation waits for a connection before it rejects. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /**
   * Decodes encoded dead-letter payloads in `listDeadLetters` (codecs, decryption keys). The
   * dead-letter stream itself keeps them as they were written (still encrypted). @defaultValue none
   */
  payload?: PayloadOptions;
}
