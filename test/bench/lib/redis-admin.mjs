import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { redisUrl } from './redis-url.mjs';

let clockTicks;

/** The orchestrator's own connection: Redis pid (for its CPU), version, key cleanup. */
export class RedisAdmin {
  constructor() {
    this.redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  }

  async init() {
    const info = await this.redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    this.version = /redis_version:([^\r\n]+)/.exec(info)?.[1];
    // Redis CPU only when the server is a local process we can read.
    this.pid = pid && isRedisProcess(pid) ? pid : undefined;
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  }

  /** CPU seconds Redis has used so far (utime + stime), or undefined when it is not local. */
  cpuSeconds() {
    if (!this.pid) return undefined;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks; // fields 14 and 15 of stat(5)
    } catch {
      return undefined;
    }
  }

  /**
   * Calls per command so far (INFO commandstats). Server-wide: other clients of the same Redis
   * add noise, small next to a bench run's volume.
   */
  async commandCalls() {
    const info = await this.redis.info('commandstats');
    const calls = {};
    for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls[m[1]] = Number(m[2]);
    return calls;
  }

  /** Deletes every key starting with `prefix`. */
  async deletePrefix(prefix) {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.unlink(...keys);
    } while (cursor !== '0');
  }

  /** Busy CPU seconds of the whole machine so far (all cores, /proc/stat), or undefined. */
  machineBusySeconds() {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
      return (user + nice + system + irq + softirq + (steal ?? 0)) / clockTicks;
    } catch {
      return undefined;
    }
  }

  close() {
    return this.redis.quit();
  }
}

function isRedisProcess(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').includes('redis');
  } catch {
    return false;
  }
}
