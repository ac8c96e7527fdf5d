/** Per-item outcome of `emitBatch`. */
export type BatchItemResult = { messageId: string } | { error: Error };

/** Some items of an `emitBatch` were not published; `results` says which, in input order. */
export class BatchPublishError extends Error {
  constructor(
    readonly topic: string,
    readonly results: BatchItemResult[],
  ) {
    const failed = results.filter(r => 'error' in r) as { error: Error }[];
    super(
      `${failed.length} of ${results.length} messages to topic "${topic}" were not published: ${failed[0]?.error.message}`,
    );
    this.name = 'BatchPublishError';
  }
}
