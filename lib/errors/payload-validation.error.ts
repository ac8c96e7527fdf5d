/**
 * A payload does not match its topic's schema: `emit` rejects with it and writes nothing.
 * `errors` holds the validator's messages (ajv's, with the `/ajv` validator).
 */
export class PayloadValidationError extends Error {
  constructor(
    readonly topic: string,
    readonly errors: readonly string[],
  ) {
    super(`Payload for topic "${topic}" does not match its schema: ${errors.join('; ')}`);
    this.name = 'PayloadValidationError';
  }
}
