import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks;

/**
 * CPU seconds (utime + stime) of every local process whose name (`/proc/<pid>/comm`) is `name`,
 * by pid — e.g. PostgreSQL backends, which come and go with connections.
 */
export function cpuByProcessName(name) {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const out = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter(d => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== name) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / clockTicks);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** CPU seconds used between two snapshots (processes started meanwhile count from zero). */
export function cpuDelta(before, after) {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

/** CPU seconds (utime + stime) process `pid` has used so far, or undefined once it is gone. */
export function cpuSecondsOfPid(pid) {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}
