import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once a redis-server on `port` (127.0.0.1) answers PING. */
export async function waitForRedis(port: number, what: string): Promise<void> {
  await waitFor(async () => {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      // A probe whose connection was refused is closed already: ioredis' disconnect() would then
      // arm a 2 s timer for a 'close' that never comes, and keep jest from exiting.
      if (probe.status !== 'end') probe.disconnect();
    }
  }, what);
}

/**
 * A private redis-server a fault test can stop and restart on the same port. `durable` keeps its
 * data across a SIGKILL (append-only file, fsync on every write), as a production Redis holding an
 * outbox's messages would: restarting it is then an outage, not a loss of acknowledged writes.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;
  private readonly dir: string | undefined;

  private constructor(
    readonly port: number,
    durable: boolean,
  ) {
    this.dir = durable ? mkdtempSync(join(tmpdir(), 'mq-durable-redis-')) : undefined;
  }

  static async start(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.durable ?? false);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''],
        ...(this.dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir] : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    await waitForRedis(this.port, `redis-server on port ${this.port}`);
  }

  /** Kills the server (SIGKILL: an outage, not a clean shutdown). */
  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise(resolve => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Kills it and removes its files (a durable server's append-only file). */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
