import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a shared secret, so that comparisons run over equal-length buffers. */
export function tokenDigest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Whether `given` is the secret whose digest is `expected`, in constant time: neither the
 * content nor the length of the secret leaks through response timing.
 */
export function matchesToken(given: unknown, expected: Buffer): boolean {
  return typeof given === 'string' && given.length > 0 && timingSafeEqual(tokenDigest(given), expected);
}
