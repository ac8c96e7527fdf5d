import { hkdfSync } from 'node:crypto';
import type { PayloadKeyProvider } from '../../lib/index.js';

/**
 * Master keys for payload encryption, by version (`MQ_PAYLOAD_MASTER_KEYS`), and the version new
 * messages use (`MQ_PAYLOAD_KEY_VERSION`, default: the highest). Tenant keys are derived from them.
 */
export interface PayloadKeyConfig {
  masterKeys: Record<number, Buffer>;
  currentVersion: number;
}

/**
 * Reads `MQ_PAYLOAD_MASTER_KEYS=2:<base64 32 bytes>,1:<base64 32 bytes>`. Without it, encrypted
 * queues cannot be created (400) — the service still starts.
 */
export function loadPayloadKeys(env: NodeJS.ProcessEnv): PayloadKeyConfig | undefined {
  const raw = env.MQ_PAYLOAD_MASTER_KEYS?.trim();
  if (!raw) return undefined;
  const masterKeys: Record<number, Buffer> = {};
  for (const part of raw.split(',')) {
    const m = /^\s*(\d+):(\S+)\s*$/.exec(part);
    if (!m) throw new Error('MQ_PAYLOAD_MASTER_KEYS must be "<version>:<base64 key>,…"');
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) throw new Error(`MQ_PAYLOAD_MASTER_KEYS version ${m[1]}: the key must be 32 bytes (base64)`);
    masterKeys[Number(m[1])] = key;
  }
  const versions = Object.keys(masterKeys).map(Number);
  const currentVersion = env.MQ_PAYLOAD_KEY_VERSION ? Number(env.MQ_PAYLOAD_KEY_VERSION) : Math.max(...versions);
  if (!masterKeys[currentVersion]) throw new Error(`MQ_PAYLOAD_KEY_VERSION ${currentVersion} has no key in MQ_PAYLOAD_MASTER_KEYS`);
  return { masterKeys, currentVersion };
}

/** Key id of a tenant's key of a master version: `<tenant>.v<version>`. */
export function tenantKeyId(tenantId: string, version: number): string {
  return `${tenantId}.v${version}`;
}

/**
 * Per-tenant AES-256 keys: HKDF-SHA256 of the master key of a version, salted with the tenant id.
 * A tenant's messages can never be decrypted with another tenant's key. `encryptedTopic` says
 * which topics are encrypted (and whose tenant they belong to).
 */
export function tenantKeyProvider(
  config: PayloadKeyConfig,
  encryptedTopic: (topic: string) => { tenantId: string } | undefined,
): PayloadKeyProvider {
  const cache = new Map<string, Buffer | undefined>();
  return {
    keyIdFor(topic) {
      const queue = encryptedTopic(topic);
      return queue && tenantKeyId(queue.tenantId, config.currentVersion);
    },
    getKey(keyId) {
      if (cache.has(keyId)) return cache.get(keyId);
      const m = /^(.+)\.v(\d+)$/.exec(keyId);
      const master = m ? config.masterKeys[Number(m[2])] : undefined;
      const key = m && master ? Buffer.from(hkdfSync('sha256', master, `tenant:${m[1]}`, 'mq-payload-encryption', 32)) : undefined;
      cache.set(keyId, key);
      return key;
    },
  };
}
