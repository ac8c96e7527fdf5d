import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, waitForRedis } from './redis-server.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** A private three-master Redis Cluster (`redis-server --cluster-enabled yes`), for cluster tests. */
export class PrivateRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly processes: ChildProcess[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<PrivateRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mq-cluster-'));
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await freePort());
    const processes = ports.map(port =>
      spawn(
        'redis-server',
        [
          '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no',
        ],
        { stdio: 'ignore' },
      ),
    );
    const cluster = new PrivateRedisCluster(ports, processes, dir);
    for (const port of ports) await waitForRedis(port, `cluster node ${port}`);
    await run('redis-cli', ['--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(async () => {
      const probe = new Redis(ports[0], '127.0.0.1');
      try {
        return String(await probe.cluster('INFO')).includes('cluster_state:ok');
      } finally {
        probe.disconnect();
      }
    }, 'cluster_state:ok', 20_000);
    return cluster;
  }

  /** Connection options for the transport. */
  get connection() {
    return { cluster: { nodes: this.ports.map(port => ({ host: '127.0.0.1', port })) } };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(p => {
        if (p.exitCode !== null || p.signalCode !== null) return undefined;
        const exited = new Promise(resolve => p.once('exit', resolve));
        p.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
