import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A fixture process (run through test/fixtures/run-ts.cjs) that is started again whenever it dies,
 * with fresh env each time, until `stop()`: a crash test's process manager.
 */
export class SupervisedProcess {
  readonly events: Record<string, unknown>[] = [];
  /** How each run ended: the signal (e.g. SIGKILL) or the exit code. */
  readonly exits: (string | number)[] = [];
  private child: ChildProcess | undefined;
  private stopped = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly envOf: (run: number) => Record<string, string>,
  ) {}

  /** Runs started so far. */
  get runs(): number {
    return this.exits.length + (this.child ? 1 : 0);
  }

  start(): void {
    const run = this.exits.length + 1;
    const child = spawn(process.execPath, ['test/fixtures/run-ts.cjs', this.file], {
      env: { ...process.env, ...this.envOf(run) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', line => {
      try {
        this.events.push({ ...JSON.parse(line), run });
      } catch {
        // not one of ours
      }
    });
    this.exited = new Promise(resolve =>
      child.once('exit', (code, signal) => {
        this.child = undefined;
        this.exits.push(signal ?? code ?? 'unknown');
        if (!this.stopped) this.start();
        resolve();
      }),
    );
  }

  /** SIGKILLs the current run (it is then restarted). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = this.exited;
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGKILLs it for good. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.kill();
  }
}
