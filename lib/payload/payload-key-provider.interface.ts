/**
 * Keys for payload encryption (AES-256-GCM). Synchronous on purpose: it is asked once per message
 * on the hot path, so a provider backed by a KMS fetches and caches keys ahead of time (and
 * derivations such as HKDF are synchronous in `node:crypto`).
 */
export interface PayloadKeyProvider {
  /**
   * Id of the key new messages of `topic` are encrypted with, or `undefined` to publish them in
   * plaintext. Rotation: return the new id; entries written with older ids still decrypt as long
   * as `getKey` returns their keys.
   */
  keyIdFor(topic: string): string | undefined;
  /** The 32-byte key with this id, or `undefined` when unknown (the message is dead-lettered). */
  getKey(keyId: string): Uint8Array | undefined;
}
