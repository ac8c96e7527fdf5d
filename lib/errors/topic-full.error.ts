/** `emit` to a stream that already holds `maxLen` entries: nothing was published. */
export class TopicFullError extends Error {
  constructor(
    readonly topic: string,
    readonly maxLen: number,
    readonly length: number,
  ) {
    super(`Topic "${topic}" is full (${length} entries, maxLen ${maxLen}): the message was not published`);
    this.name = 'TopicFullError';
  }
}
