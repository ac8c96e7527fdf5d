import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { UnrecoverableMessageError } from '../../../lib/errors/unrecoverable-message.error.js';
import { resolveRetryPolicy } from '../../../lib/retry/backoff.js';
import { decideFailure, describeError, isUnrecoverable } from '../../../lib/server/settle-decision.js';

describe('settle decision', () => {
  const policy = resolveRetryPolicy({ maxAttempts: 3, backoff: { type: 'fixed', delayMs: 50, jitter: false } });

  describe('decideFailure', () => {
    it('should retry after the backoff while attempts are left', () => {
      expect(decideFailure(new Error('x'), 1, policy, true)).toEqual({ action: 'retry', delayMs: 50 });
      expect(decideFailure(new Error('x'), 2, policy, true)).toEqual({ action: 'retry', delayMs: 50 });
    });

    it('should dead-letter on the last attempt', () => {
      expect(decideFailure(new Error('x'), 3, policy, true)).toEqual({ action: 'dead-letter', reason: 'max-attempts' });
    });

    it('should dead-letter an unrecoverable error at once', () => {
      expect(decideFailure(new UnrecoverableMessageError('bad'), 1, policy, true)).toEqual({
        action: 'dead-letter',
        reason: 'unrecoverable',
      });
    });

    it('should drop instead of dead-lettering when dead letters are off', () => {
      expect(decideFailure(new Error('x'), 3, policy, false)).toEqual({ action: 'drop', reason: 'max-attempts' });
    });
  });

  describe('isUnrecoverable', () => {
    it('should still recognise the error after Nest’s RPC exception filter rewrote it', async () => {
      const filtered = new BaseRpcExceptionFilter().catch(new UnrecoverableMessageError('bad'), undefined as never);
      const seen = await lastValueFrom(filtered).catch(err => err);
      expect(seen).not.toBeInstanceOf(Error);
      expect(isUnrecoverable(seen)).toBe(true);
      expect(describeError(seen)).toBe('bad');
    });

    it('should be false for ordinary errors', () => {
      expect(isUnrecoverable(new Error('x'))).toBe(false);
      expect(isUnrecoverable({ status: 'error', message: 'Internal server error' })).toBe(false);
    });
  });

  describe('describeError', () => {
    it('should keep name, message and a truncated stack', () => {
      const err = new TypeError('boom');
      const text = describeError(err);
      expect(text.startsWith('TypeError: boom\n')).toBe(true);
      expect(text.split('\n').length).toBeLessThanOrEqual(11);
    });

    it('should describe non-errors', () => {
      expect(describeError('plain')).toBe('plain');
      expect(describeError({ code: 1 })).toBe('{"code":1}');
    });
  });
});
