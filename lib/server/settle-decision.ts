import { DEAD_LETTER_STACK_LINES } from '../constants.js';
import { UNRECOVERABLE_MARKER, UnrecoverableMessageError } from '../errors/unrecoverable-message.error.js';
import type { ResolvedRetryPolicy } from '../interfaces/retry-options.interface.js';
import { backoffDelay } from '../retry/backoff.js';

/** What to do with a delivery whose handler failed. */
export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; reason: 'unrecoverable' | 'max-attempts' }
  | { action: 'drop'; reason: 'unrecoverable' | 'max-attempts' };

/**
 * The settle decision for a failure, in one pure function: unrecoverable → dead letter at once;
 * attempts left → retry after the backoff; otherwise dead letter (or drop when dead-lettering is off).
 */
export function decideFailure(
  error: unknown,
  attempt: number,
  policy: ResolvedRetryPolicy,
  deadLetterEnabled: boolean,
  random: () => number = Math.random,
): FailureDecision {
  const unrecoverable = isUnrecoverable(error);
  if (!unrecoverable && attempt < policy.maxAttempts) {
    return { action: 'retry', delayMs: backoffDelay(policy.backoff, attempt, random) };
  }
  const reason = unrecoverable ? 'unrecoverable' : 'max-attempts';
  return deadLetterEnabled ? { action: 'dead-letter', reason } : { action: 'drop', reason };
}

/** True for `UnrecoverableMessageError`, also after Nest's exception filter turned it into a plain object. */
export function isUnrecoverable(error: unknown): boolean {
  if (error instanceof UnrecoverableMessageError) return true;
  return typeof error === 'object' && error !== null && (error as Record<string, unknown>)[UNRECOVERABLE_MARKER] === true;
}

/** The error as kept in a dead letter: message, then at most a few stack lines. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack?.split('\n').slice(1, 1 + DEAD_LETTER_STACK_LINES).join('\n');
    return stack ? `${error.name}: ${error.message}\n${stack}` : `${error.name}: ${error.message}`;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
