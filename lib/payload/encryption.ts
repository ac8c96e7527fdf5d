import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
/** 96-bit IV, the size GCM is specified for; random per message, never reused with a key in practice. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Additional authenticated data of a message: its topic and message id. A ciphertext copied to
 * another topic, or under another message id, fails authentication instead of decrypting.
 */
function aad(topic: string, messageId: string): Buffer {
  return Buffer.from(`${topic}\u0000${messageId}`, 'utf8');
}

/** AES-256-GCM with a fresh random IV: returns `iv | ciphertext | tag`. */
export function encryptPayload(key: Uint8Array, plaintext: Uint8Array, topic: string, messageId: string): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(topic, messageId));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Reverses `encryptPayload`; throws when the key, topic, message id or bytes do not match. */
export function decryptPayload(key: Uint8Array, sealed: Uint8Array, topic: string, messageId: string): Buffer {
  assertKey(key);
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv(ALGORITHM, key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(topic, messageId));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
}
