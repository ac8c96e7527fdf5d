import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './redis-server.js';

/** One proxied connection: the client side, the server side, and what a freeze holds back. */
interface Pair {
  client: Socket;
  upstream: Socket;
  toServer: Buffer[];
  toClient: Buffer[];
}

/**
 * A TCP proxy to a real server for network fault tests. `freeze()` holds traffic back without
 * closing anything (a network stall: writes leave the client, nothing comes back); `freeze('replies')`
 * lets requests through but holds the answers; `thaw()` delivers what was held; `cut()` drops every
 * connection (held traffic is lost) and refuses new ones until `restore()`.
 */
export class FreezableProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private holdRequests = false;
  private holdReplies = false;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<FreezableProxy> {
    const proxy = new FreezableProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  /** Holds traffic: both ways, or only the server's replies. */
  freeze(what: 'both' | 'replies' = 'both'): void {
    this.holdRequests = what === 'both';
    this.holdReplies = true;
  }

  /** Delivers what was held and lets traffic flow again. */
  thaw(): void {
    this.holdRequests = this.holdReplies = false;
    for (const pair of this.pairs) {
      for (const chunk of pair.toServer.splice(0)) pair.upstream.write(chunk);
      for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
    }
  }

  /** Drops every connection (held traffic is lost) and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>(resolve => server.close(() => resolve()));
  }

  /** Accepts connections again (traffic flows). */
  restore(): Promise<void> {
    this.holdRequests = this.holdReplies = false;
    const server = createServer(client => {
      const upstream = connect(this.target.port, this.target.host);
      const pair: Pair = { client, upstream, toServer: [], toClient: [] };
      this.pairs.add(pair);
      client.on('data', chunk => (this.holdRequests ? pair.toServer.push(chunk) : upstream.write(chunk)));
      upstream.on('data', chunk => (this.holdReplies ? pair.toClient.push(chunk) : client.write(chunk)));
      for (const s of [client, upstream]) {
        s.on('error', () => undefined);
        s.once('close', () => {
          this.pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        });
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }
}
