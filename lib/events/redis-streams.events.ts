/** Connection status of a server or client (`status` observable). */
export enum RedisStreamsStatus {
  DISCONNECTED = 'disconnected',
  RECONNECTING = 'reconnecting',
  CONNECTED = 'connected',
  CLOSED = 'closed',
}

/** ioredis events forwarded by `on()`. */
export enum RedisStreamsEventsMap {
  CONNECT = 'connect',
  READY = 'ready',
  ERROR = 'error',
  CLOSE = 'close',
  RECONNECTING = 'reconnecting',
  END = 'end',
}

/** Which connection an event came from: commands, or a topic's blocking reader. */
export type RedisStreamsConnectionRole = 'command' | 'reader';

type VoidCallback = (connection: RedisStreamsConnectionRole) => void;
type OnErrorCallback = (connection: RedisStreamsConnectionRole, error: Error) => void;

/** Event name → callback type for `server.on()` / `client.on()`. */
export type RedisStreamsEvents = {
  connect: VoidCallback;
  ready: VoidCallback;
  error: OnErrorCallback;
  close: VoidCallback;
  reconnecting: VoidCallback;
  end: VoidCallback;
};
