import { InvalidMessageException } from '@nestjs/microservices/errors/invalid-message.exception.js';

/**
 * A pattern that cannot name a topic (empty, or not a string after normalisation). It is a Nest
 * `InvalidMessageException`, which Nest's clients throw for a missing pattern or data.
 * @publicApi
 */
export class InvalidTopicError extends InvalidMessageException {
  constructor(readonly pattern: unknown) {
    super();
    this.message = `Invalid topic ${JSON.stringify(pattern)}: a topic is a non-empty string`;
    this.name = 'InvalidTopicError';
  }
}
