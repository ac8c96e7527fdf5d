import type { RedisConnection } from '../connection/create-redis-connection.js';
import { HEARTBEAT_MS, PEER_TIMEOUT_MS } from '../constants.js';
import type { StreamKeys } from '../keys/stream-keys.js';

/** Heartbeats older than this are dropped from the servers zset (it never grows without bound). */
const FORGET_AFTER_MS = 60 * 60 * 1000;

/**
 * A server's heartbeat in the prefix's servers zset, and the detection of peers that stopped
 * beating (killed, frozen): two commands per `HEARTBEAT_MS`, whatever the number of servers. A
 * crashed peer leaves its entries pending until someone sweeps its (topic, group) pairs; knowing
 * when it died lets every server sweep its own pairs right after `claimIdleMs` instead of waiting for
 * the slow round robin. A clean `close()` leaves the zset (it is not a crash).
 */
export class PeerWatch {
  private lastBeatAt = 0;
  /** Dead peers already reacted to, with the heartbeat they died at (a peer that comes back and dies again counts again). */
  private readonly mourned = new Map<string, number>();

  constructor(
    private readonly command: RedisConnection,
    private readonly keys: StreamKeys,
    private readonly name: string,
  ) {}

  /** Beats (at most once per `HEARTBEAT_MS`); resolves with the last heartbeat of every peer newly found dead. */
  async tick(now = Date.now()): Promise<number[]> {
    if (now - this.lastBeatAt < HEARTBEAT_MS) return [];
    this.lastBeatAt = now;
    const key = this.keys.servers();
    const [, flat] = await Promise.all([
      this.command.zadd(key, now, this.name),
      this.command.zrangebyscore(key, '-inf', now - PEER_TIMEOUT_MS, 'WITHSCORES', 'LIMIT', 0, 100) as Promise<string[]>,
    ]);
    const died: number[] = [];
    let stale = false;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [peer, beat] = [flat[i], Number(flat[i + 1])];
      if (beat < now - FORGET_AFTER_MS) stale = true;
      if (this.mourned.get(peer) === beat) continue;
      this.mourned.set(peer, beat);
      died.push(beat);
    }
    if (stale) await this.command.zremrangebyscore(key, '-inf', now - FORGET_AFTER_MS);
    return died;
  }

  /** Leaves the servers zset (clean shutdown). */
  async leave(): Promise<void> {
    await this.command.zrem(this.keys.servers(), this.name);
  }
}
