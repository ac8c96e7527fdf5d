import { toPublishError } from '../../../lib/client/publish-failure.js';
import { PublishOutcomeUnknownError, RedisUnavailableError, TopicFullError } from '../../../lib/index.js';

describe('toPublishError', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('should pass on what Redis answered', () => {
    const reply = named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(toPublishError(reply, 't', 'm1')).toBe(reply);
    const full = new TopicFullError('t', 3, 3);
    expect(toPublishError(full, 't', 'm1')).toBe(full);
  });

  it('should say "not published" only for a command refused before it was written', () => {
    for (const message of [
      "Stream isn't writeable and enableOfflineQueue options is false",
      "Cluster isn't ready and enableOfflineQueue options is false",
    ]) {
      const err = toPublishError(new Error(message), 't', 'm1');
      expect(err).toBeInstanceOf(RedisUnavailableError);
      expect(err).toMatchObject({ topic: 't' });
    }
  });

  it('should say the outcome is unknown, with the message id, for anything after the write left', () => {
    for (const err of [
      new Error('Command timed out'),
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.'),
      new Error('Connection is closed.'),
      named('AbortError', 'Command aborted due to connection close'),
    ]) {
      const unknown = toPublishError(err, 'orders', 'm-42');
      expect(unknown).toBeInstanceOf(PublishOutcomeUnknownError);
      expect(unknown).toMatchObject({ topic: 'orders', messageId: 'm-42', reason: err.message });
      expect(unknown.message).toMatch(/unknown.*setDeduplicationId/s);
    }
  });
});
