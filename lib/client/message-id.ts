import { randomFillSync } from 'node:crypto';

/** Random bytes for this many ids are drawn at once. */
const POOL_IDS = 256;
const pool = Buffer.allocUnsafe(POOL_IDS * 16);
let nextId = POOL_IDS;
const text = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random message id: an RFC 9562 version 4 UUID, as `crypto.randomUUID()` makes, from the same
 * kind of bytes (crypto-random, drawn 256 ids at a time). It is written as text into a scratch
 * buffer and read out as one string: `randomUUID()` builds it from ~20 concatenated pieces
 * (~580 bytes of garbage per id), which is a producer's hot path.
 */
export function randomMessageId(): string {
  if (nextId === POOL_IDS) {
    randomFillSync(pool);
    nextId = 0;
  }
  const offset = nextId++ * 16;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    let byte = pool[offset + i];
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10
    text[at++] = HEX[byte >> 4];
    text[at++] = HEX[byte & 0x0f];
  }
  return text.toString('latin1', 0, 36);
}
