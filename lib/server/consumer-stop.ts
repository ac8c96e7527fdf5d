import type { LoggerService } from '@nestjs/common';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import type { OwnedDeliveries } from './owned-deliveries.js';
import type { Settler } from './settler.js';

/** A consumer that stopped reading and claiming, and what it still waits for. */
export interface StoppingConsumer {
  /** Its name in the group, and in log lines. */
  options: { topic: string; group: string; consumer: string };
  stream: string;
  /** A read the wake-up reader was making for it (it was waiting), until its entries are delivered. */
  directRead: Promise<void> | undefined;
  /** Its own commands in flight: reads and claims. */
  io: ReadonlySet<Promise<unknown>>;
  /** Its running and read-ahead entries. */
  owned: OwnedDeliveries;
  settler: Settler;
  scripts: RedisStreamsScripts;
  logger: LoggerService;
}

/**
 * The rest of a consumer's stop: lets its reads and claims in flight, then its running and
 * read-ahead entries finish, writes their settlements, and removes it from the group only if it
 * owns no pending entry (those stay pending and are taken over). Every wait is bounded by
 * `deadline`, `timeoutMs` from the start of the stop (the server's one shutdown timer): during an
 * outage these commands would queue forever.
 */
export async function drainAndLeave(c: StoppingConsumer, deadline: Promise<void>, timeoutMs: number): Promise<void> {
  const where = `${c.options.topic}/${c.options.group}`;
  if (c.directRead) await Promise.race([c.directRead, deadline]);
  if (c.io.size) await Promise.race([Promise.allSettled([...c.io]), deadline]);
  if (c.owned.size) await Promise.race([c.owned.whenEmpty(), deadline]);
  await Promise.race([c.settler.drain(), deadline]);
  if (c.owned.size) {
    c.logger.warn?.(`${where}: ${c.owned.size} message(s) still owned after ${timeoutMs} ms; they stay pending and will be taken over`);
    return;
  }
  const removed = c.scripts.removeConsumerIfIdle(c.stream, c.options.group, c.options.consumer);
  await Promise.race([removed, deadline]).catch(err => c.logger.warn?.(`${where}: could not remove consumer: ${(err as Error).message}`));
}
