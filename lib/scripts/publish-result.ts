import { TopicFullError } from '../errors/topic-full.error.js';

/** Status codes of the publish script (publish-3). */
export enum PublishCode {
  Published = 0,
  Duplicate = -1,
  TopicFull = -2,
}

/**
 * Maps the publish script's `{ code, value }` to the message id `emit` resolves with, or to the
 * error it rejects with. The one place that interprets its codes.
 */
export function toPublishOutcome(
  reply: [number, string],
  context: { topic: string; messageId: string; maxLen: number },
): { messageId: string; entryId: string | undefined } {
  const [code, value] = reply;
  switch (code) {
    case PublishCode.Published:
      return { messageId: context.messageId, entryId: value || undefined };
    case PublishCode.Duplicate:
      return { messageId: value, entryId: undefined };
    case PublishCode.TopicFull:
      throw new TopicFullError(context.topic, context.maxLen, Number(value));
    default:
      throw new Error(`Unexpected publish script reply: ${JSON.stringify(reply)}`);
  }
}
