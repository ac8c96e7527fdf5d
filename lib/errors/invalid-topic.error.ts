/** A pattern that cannot name a topic (empty, or not a string after normalisation). */
export class InvalidTopicError extends Error {
  constructor(readonly pattern: unknown) {
    super(`Invalid topic ${JSON.stringify(pattern)}: a topic is a non-empty string`);
    this.name = 'InvalidTopicError';
  }
}
