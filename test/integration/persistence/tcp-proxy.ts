import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../helpers/redis-server.js';

/**
 * A TCP proxy to a real server (PostgreSQL here) that a fault test can cut and restore: `cut()`
 * closes the port and every open connection, like a database going away; `restore()` listens
 * on the same port again. Nothing is mocked: traffic goes to the real server.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  /** Accepts connections again (nothing to do while it does: a second server would fail on the port and hide the first). */
  restore(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer(client => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', err => {
        if (this.server === server) this.server = undefined;
        reject(err);
      });
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>(resolve => server.close(() => resolve()));
  }
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
