import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the bench's own on a free port (nothing kept on disk), so that
 * `INFO clients` and `INFO commandstats` count only what the measured process does.
 * Resolves `{ url, port, pid, stop() }`.
 */
export async function startPrivateRedis() {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '10000'],
    { stdio: 'ignore' },
  );
  const exited = new Promise(resolve => proc.once('exit', resolve));
  const failed = new Promise((_, reject) => proc.once('error', err => reject(new Error(`redis-server did not start: ${err.message}`))));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const ok = await Promise.race([probe.connect().then(() => probe.ping()), failed]).catch(err => (err.message.startsWith('redis-server') ? Promise.reject(err) : undefined));
    probe.disconnect();
    if (ok === 'PONG') break;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
