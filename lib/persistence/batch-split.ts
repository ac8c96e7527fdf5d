/** What became of a batch written by `writeSplitting`. */
export interface SplitWrite {
  /** How many leading records are settled (written or rejected): all of them unless `failed`. */
  settled: number;
  /** The records PostgreSQL refused on their own (by index in the batch), with its error. */
  rejected: { index: number; error: unknown }[];
  /** Whether a write failed for another reason than its data: records from `settled` on are not written. */
  failed: boolean;
  /** That error, when `failed`. */
  error?: unknown;
}

/**
 * Whether PostgreSQL refused a statement for the data it carried: SQLSTATE class 22 (data
 * exception: a value out of range, invalid text, an untranslatable character) or 23 (integrity
 * constraint violation). Such a batch fails the same way on every retry. Any other error (the
 * connection lost, the database starting up or read-only, a missing table) may pass later.
 */
export function isDataRejection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Writes the records `[0, count)` with `write(from, to)`, all at once first. A range refused for
 * its data is split in halves, down to the single records that are refused on their own: those
 * are reported, not retried, so one bad record costs about 2·log₂(count) statements instead of
 * blocking every record behind it. Any other error stops at once, with every record before the
 * failed range settled (ranges go in order) and the rest left for a retry.
 */
export async function writeSplitting(count: number, write: (from: number, to: number) => Promise<unknown>): Promise<SplitWrite> {
  const result: SplitWrite = { settled: 0, rejected: [], failed: false };
  const part = async (from: number, to: number): Promise<void> => {
    try {
      await write(from, to);
      result.settled = to;
      return;
    } catch (err) {
      if (!isDataRejection(err)) {
        result.failed = true;
        result.error = err;
        return;
      }
      if (to - from === 1) {
        result.rejected.push({ index: from, error: err });
        result.settled = to;
        return;
      }
    }
    const middle = from + ((to - from) >> 1);
    await part(from, middle);
    if (!result.failed) await part(middle, to);
  };
  if (count > 0) await part(0, count);
  return result;
}

/** PostgreSQL's words for a rejection: SQLSTATE, message, and where (a COPY's line and column). */
export function rejectionReason(err: unknown): string {
  const { code, message, where, detail } = (err ?? {}) as { code?: string; message?: string; where?: string; detail?: string };
  return [`${code}: ${message ?? String(err)}`, detail, where].filter(Boolean).join('; ');
}

/** The rows `[from, to)` of column arrays; the columns themselves when that is all of them. */
export function columnsOf(cols: readonly (readonly unknown[])[], from: number, to: number): unknown[][] {
  if (from === 0 && to === (cols[0]?.length ?? 0)) return cols as unknown[][];
  return cols.map(col => col.slice(from, to));
}
