/** What to do with one reply entry of a request. */
export type ReplyVerdict = 'deliver' | 'ignore' | 'interrupted';

/**
 * Orders the replies of one request. A server writes every reply with the delivery attempt that
 * produced it and its position in that attempt's response stream. Two things can put extra
 * entries in a reply stream: a takeover re-runs the handler of a crashed (or stalled) consumer as
 * a later attempt, and a command re-sent after a reconnect writes a copy. So:
 * - a copy (a position already seen) and anything from an earlier attempt are ignored;
 * - a later attempt replaces an earlier one that had delivered nothing yet (seamless takeover);
 * - a later attempt after the caller already received values of an earlier one is `interrupted`:
 *   the caller must never see two attempts' values mixed into one response.
 */
export class ReplySequence {
  private attempt: number | undefined;
  private nextSeq = 0;
  private delivered = 0;

  /** The verdict on the reply at position `seq` of attempt `attempt`. */
  accept(attempt: number, seq: number): ReplyVerdict {
    if (this.attempt === undefined || (attempt > this.attempt && this.delivered === 0)) {
      this.attempt = attempt;
      this.nextSeq = 0;
    }
    if (attempt < this.attempt) return 'ignore';
    if (attempt > this.attempt) return 'interrupted';
    if (seq < this.nextSeq) return 'ignore';
    this.nextSeq = seq + 1;
    this.delivered++;
    return 'deliver';
  }

  /** The attempt whose replies are being delivered, if any arrived yet. */
  get currentAttempt(): number | undefined {
    return this.attempt;
  }

  /** How many replies were delivered. */
  get deliveredCount(): number {
    return this.delivered;
  }
}
