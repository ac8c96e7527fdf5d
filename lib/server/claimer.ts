import type { LoggerService } from '@nestjs/common';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import type { ClaimedEntries, RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { failureFields } from './failure-fields.js';
import type { TopicGroupKeys } from './settler.js';

/** Who claims: one consumer of one (topic, group), and how long a crashed consumer's entry must be idle. */
export interface ClaimerOptions {
  topic: string;
  group: string;
  consumer: string;
  claimIdleMs: number;
}

/** Due retries claimed, and when to look for due ones again (`undefined`: once the next one is scheduled). */
export interface ClaimedRetries {
  claimed: ClaimedEntries;
  recheckAt: number | undefined;
}

/**
 * The claim paths of one consumer: retries of its group that fell due (scheduled by any consumer
 * of the group), and takeovers of entries crashed consumers left idle. Each is one script call; it
 * answers the consumer with the entries claimed (to run like read ones) and never calls back into it.
 */
export class Claimer {
  /** Where the next takeover scan of the group's PEL starts: successive visits go round it. */
  private takeoverCursor = '-';

  constructor(
    private readonly command: RedisConnection,
    private readonly scripts: RedisStreamsScripts,
    private readonly keys: TopicGroupKeys,
    private readonly options: ClaimerOptions,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Claims up to `room` (≥ 1) due retries. Looks again at once when they filled the room, else at
   * the next retry's due time; rejects when the script call failed.
   */
  async dueRetries(room: number): Promise<ClaimedRetries> {
    const { group, consumer } = this.options;
    const claimed = await this.scripts.claimRetries(this.keys, group, consumer, Date.now(), room);
    this.forgetDeleted(claimed, 'retry');
    return { claimed, recheckAt: claimed.entries.length >= room ? Date.now() : claimed.nextDue };
  }

  /** Takes over up to `room` (≥ 1) entries idle ≥ `claimIdleMs` (not those waiting for a retry). */
  async takeovers(room: number): Promise<ClaimedEntries> {
    const { group, consumer, claimIdleMs } = this.options;
    const claimed = await this.scripts.reclaimIdle(this.keys, group, consumer, claimIdleMs, room, this.takeoverCursor);
    this.takeoverCursor = claimed.cursor;
    this.forgetDeleted(claimed, 'takeover');
    return claimed;
  }

  /** Redis dropped entries trimmed or deleted while pending from the PEL with the claim: their failure records go too. */
  private forgetDeleted(claimed: ClaimedEntries, why: 'retry' | 'takeover'): void {
    if (!claimed.deleted.length) return;
    this.logger.warn?.(
      `${this.options.topic}/${this.options.group}: ${claimed.deleted.length} pending entr(ies) were trimmed or deleted before ${why} (${claimed.deleted.slice(0, 5).join(', ')}); cleared from the PEL`,
    );
    void this.command.hdel(this.keys.failures, ...failureFields(claimed.deleted)).catch(() => undefined);
  }
}
