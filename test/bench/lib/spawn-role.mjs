import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
const IOREDIS_SWAP = new URL('./ioredis-swap.mjs', import.meta.url).href;

/**
 * Forks one bench child (consumer or producer) and wraps its IPC: `next(type, timeoutMs)` waits for
 * the next message of that type; `stop()` asks it to close and kills it if it does not exit.
 * `cpuProf` = directory: run the child under `node --cpu-prof` writing there; `entry` = another
 * child script speaking the same IPC (default `child.mjs`). With `BENCH_IOREDIS` set (`--ioredis`) the
 * child imports ioredis from there.
 */
export function spawnRole(role, cfg, { cpuProf, label, entry = CHILD } = {}) {
  const execArgv = cpuProf
    ? ['--cpu-prof', '--cpu-prof-dir', cpuProf, '--cpu-prof-name', `${label ?? cfg.module}-${role}-${Date.now()}.cpuprofile`]
    : [];
  if (process.env.BENCH_IOREDIS) execArgv.push('--import', IOREDIS_SWAP);
  const encoded = Buffer.from(JSON.stringify(cfg)).toString('base64');
  const child = fork(entry, [role, encoded], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = [];
  const waiters = [];
  const errors = [];
  let exited = false;
  const exit = new Promise(resolve =>
    child.once('exit', code => {
      exited = true;
      for (const w of waiters.splice(0)) w.reject(new Error(`${role} exited (code ${code}) while waiting for "${w.type}"${errors.length ? `: ${errors[0]}` : ''}`));
      resolve(code);
    }),
  );
  child.on('message', msg => {
    if (msg.type === 'error') errors.push(msg.error);
    const i = waiters.findIndex(w => w.type === msg.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg);
    else inbox.push(msg);
  });
  return {
    role,
    pid: child.pid,
    errors,
    send: msg => !exited && child.send(msg),
    next(type, timeoutMs) {
      const i = inbox.findIndex(m => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      if (exited) return Promise.reject(new Error(`${role} already exited${errors.length ? `: ${errors[0]}` : ''}`));
      return new Promise((resolve, reject) => {
        const w = { type, resolve, reject };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${role} "${type}"${errors.length ? `: ${errors[0]}` : ''}`));
        }, timeoutMs);
        w.resolve = m => (clearTimeout(timer), resolve(m));
        w.reject = e => (clearTimeout(timer), reject(e));
        waiters.push(w);
      });
    },
    async stop(timeoutMs = 15_000) {
      if (exited) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
      return exit;
    },
  };
}
