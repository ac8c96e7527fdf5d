import { backoffDelay, resolveRetryPolicy } from '../../../lib/retry/backoff.js';

describe('backoff', () => {
  describe('resolveRetryPolicy', () => {
    it('should default to 5 attempts, exponential 1 s up to 60 s with jitter', () => {
      expect(resolveRetryPolicy()).toEqual({
        maxAttempts: 5,
        backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: true },
      });
    });

    it('should let the handler override field by field and inherit the rest', () => {
      const policy = resolveRetryPolicy({ maxAttempts: 7, backoff: { delayMs: 10 } }, { maxAttempts: 3 });
      expect(policy).toEqual({ maxAttempts: 3, backoff: { type: 'exponential', delayMs: 10, maxDelayMs: 60_000, jitter: true } });
    });

    it('should reject invalid values', () => {
      expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
      expect(() => resolveRetryPolicy({ backoff: { type: 'linear' as 'fixed' } })).toThrow(/backoff.type/);
      expect(() => resolveRetryPolicy({ backoff: { delayMs: -1 } })).toThrow(/≥ 0/);
    });
  });

  describe('backoffDelay', () => {
    const exp = { type: 'exponential', delayMs: 100, maxDelayMs: 1000, jitter: false } as const;

    it('should double per attempt and cap at maxDelayMs', () => {
      expect([1, 2, 3, 4, 5, 6].map(a => backoffDelay(exp, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    });

    it('should not overflow for huge attempt numbers', () => {
      expect(backoffDelay(exp, 10_000)).toBe(1000);
    });

    it('should keep the delay fixed for the fixed type', () => {
      expect(backoffDelay({ ...exp, type: 'fixed' }, 9)).toBe(100);
    });

    it('should spread jittered delays over [delay/2, delay]', () => {
      const jittered = { ...exp, jitter: true };
      expect(backoffDelay(jittered, 3, () => 0)).toBe(200);
      expect(backoffDelay(jittered, 3, () => 1)).toBe(400);
      expect(backoffDelay(jittered, 3, () => 0.5)).toBe(300);
    });
  });
});
