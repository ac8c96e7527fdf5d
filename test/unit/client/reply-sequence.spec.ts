import { ReplySequence } from '../../../lib/client/reply-sequence.js';

describe('ReplySequence', () => {
  describe('accept', () => {
    it('should deliver one attempt’s replies in order and ignore copies of a position already seen', () => {
      const s = new ReplySequence();
      expect([s.accept(1, 0), s.accept(1, 1), s.accept(1, 1), s.accept(1, 0), s.accept(1, 2)]).toEqual([
        'deliver', 'deliver', 'ignore', 'ignore', 'deliver',
      ]);
      expect(s.deliveredCount).toBe(3);
    });

    it('should switch to a later attempt when the earlier one delivered nothing, then ignore the earlier one', () => {
      const s = new ReplySequence();
      expect(s.accept(2, 0)).toBe('deliver');
      expect(s.accept(1, 0)).toBe('ignore');
      expect(s.accept(2, 1)).toBe('deliver');
      expect(s.currentAttempt).toBe(2);
    });

    it('should report an interruption when a later attempt starts after values of an earlier one were delivered', () => {
      const s = new ReplySequence();
      expect(s.accept(1, 0)).toBe('deliver');
      expect(s.accept(1, 1)).toBe('deliver');
      expect(s.accept(2, 0)).toBe('interrupted');
      expect(s.currentAttempt).toBe(1);
      expect(s.deliveredCount).toBe(2);
    });
  });
});
