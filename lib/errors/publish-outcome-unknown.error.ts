/**
 * `emit` sent the write to Redis but cannot tell whether Redis applied it: the command timed out,
 * or the connection was lost after the write left this process. The message may be in the stream
 * (and then it will be delivered) or not; the transport never re-sends it by itself, so it is
 * never written twice by one `emit`.
 *
 * Unlike `RedisUnavailableError` (certainly not written), retrying blindly may publish a second
 * copy. To retry safely, publish every attempt with the same deduplication id
 * (`RedisStreamsRecordBuilder.setDeduplicationId`): a copy within the client's
 * `deduplicationWindowMs` is then dropped by Redis. Re-publishing under `messageId`
 * (`setMessageId`) also lets an idempotent consumer recognise a copy.
 * @publicApi
 */
export class PublishOutcomeUnknownError extends Error {
  constructor(
    /** The id the message was (maybe) published under. */
    readonly messageId: string,
    /** The topic it was published to. */
    readonly topic: string,
    /** What happened to the write (e.g. `Command timed out`). */
    readonly reason: string,
  ) {
    super(
      `The outcome of publishing message "${messageId}" to topic "${topic}" is unknown (${reason}): ` +
        'Redis may or may not have written it, and it was not re-sent. Retry with the same ' +
        'deduplication id (RedisStreamsRecordBuilder.setDeduplicationId) to publish it at most once; ' +
        'without one, a retry may add a second copy.',
    );
    this.name = 'PublishOutcomeUnknownError';
  }
}
