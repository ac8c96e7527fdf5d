import type { PayloadKeyProvider } from './payload-key-provider.interface.js';

/** Options of `payloadKeyRing()`. */
export interface PayloadKeyRingOptions {
  /** Every key that may still be needed for decryption, by id (32 bytes each). */
  keys: Record<string, Uint8Array>;
  /**
   * Id of the key new messages are encrypted with: one for every topic, or per topic
   * (`undefined` = that topic is not encrypted).
   */
  current: string | ((topic: string) => string | undefined);
}

/**
 * A key provider over keys held in memory. Rotation: add the new key, point `current` at it, and
 * keep the old one until no entry encrypted with it remains (retention, dead letters).
 */
export function payloadKeyRing(options: PayloadKeyRingOptions): PayloadKeyProvider {
  for (const [id, key] of Object.entries(options.keys)) {
    if (key.length !== 32) throw new RangeError(`key "${id}" has ${key.length} bytes; AES-256-GCM needs 32`);
  }
  const { current } = options;
  return {
    keyIdFor: typeof current === 'function' ? current : () => current,
    getKey: id => (Object.hasOwn(options.keys, id) ? options.keys[id] : undefined),
  };
}
