import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { redisUrl } from './redis.js';
import { waitFor } from './wait.js';

/** A consumer running test/fixtures/consumer-process.ts in its own process. */
export class ChildConsumer {
  readonly events: Record<string, unknown>[] = [];
  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', line => {
      try {
        this.events.push({ ...JSON.parse(line), receivedAt: Date.now() });
      } catch {
        // not one of ours
      }
    });
  }

  /** Spawns it (or another fixture that prints the same events) and waits until its server listens. */
  static async start(env: Record<string, string>, fixture = 'test/fixtures/consumer-process.ts'): Promise<ChildConsumer> {
    const child = spawn(process.execPath, ['test/fixtures/run-ts.cjs', fixture], {
      env: { ...process.env, REDIS_URL: redisUrl(), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const consumer = new ChildConsumer(child);
    await waitFor(() => consumer.events.some(e => e.event === 'ready'), 'the child consumer to listen', 30_000);
    return consumer;
  }

  /**
   * Sends SIGTERM and resolves once the process has ended by itself (and its output is read), with
   * when it exited (epoch ms).
   */
  async terminate(): Promise<number> {
    let exitedAt = 0;
    this.child.once('exit', () => (exitedAt = Date.now()));
    const done = new Promise<void>(resolve => this.child.once('close', () => resolve()));
    this.child.kill('SIGTERM');
    await done;
    return exitedAt;
  }

  /** Kills it with SIGKILL (a crash: no shutdown hook runs). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}
