import { loadPayloadKeys, type PayloadKeyConfig } from '../payload/payload-keys.js';
import type { WebhookResolver } from '../subscriptions/webhook/webhook-resolver.js';
import { DEV_INTERNAL_SERVICE_TOKEN, DEV_JWT_SECRET } from './dev-defaults.js';

/** Injection token of the resolved `SampleConfig`. */
export const SAMPLE_CONFIG = 'SAMPLE_CONFIG';

/** Signature algorithms the bearer tokens may use. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** How bearer tokens are verified (one key source: a secret, a PEM public key or a JWKS URL). */
export interface JwtConfig {
  /** HS256 shared secret (`JWT_SECRET`). */
  secret: string | undefined;
  /** RS256 / ES256 public key in PEM (`JWT_PUBLIC_KEY`, `\n` escapes allowed). */
  publicKeyPem: string | undefined;
  /** The identity provider's JWKS (`JWT_JWKS_URL`); keys are fetched and cached. */
  jwksUrl: string | undefined;
  /** Accepted algorithms (`JWT_ALGORITHMS`). @defaultValue ['HS256'] with a secret, ['RS256', 'ES256'] otherwise */
  algorithms: JwtAlgorithm[];
  /** Required `iss` when set (`JWT_ISSUER`). */
  issuer: string | undefined;
  /** Required `aud` when set (`JWT_AUDIENCE`). */
  audience: string | undefined;
  /** Clock skew tolerated on `exp` / `nbf`, in seconds (`JWT_CLOCK_TOLERANCE_S`). @defaultValue 5 */
  clockToleranceSeconds: number;
}

/** Per-tenant limits (429 past them). */
export interface TenantLimits {
  /** Most subscriptions per tenant (`MAX_SUBSCRIPTIONS_PER_TENANT`) → MQ_QUOTA_EXCEEDED. @defaultValue 50 */
  maxSubscriptions: number;
  /** Admin API requests per tenant per window (`RATE_LIMIT_REQUESTS`) → MQ_RATE_LIMITED. @defaultValue 600 */
  requestsPerWindow: number;
  /** Messages published per tenant per window (`RATE_LIMIT_PUBLISH`; a batch counts each message). @defaultValue 5000 */
  publishPerWindow: number;
  /**
   * Failed authentications (401) per client address per window (`RATE_LIMIT_AUTH_FAILURES`); past it
   * the address answers 429 until the window ends, valid credentials included. @defaultValue 30
   */
  authFailuresPerWindow: number;
  /**
   * Milliseconds of JSON Schema checks per tenant per window on each replica (`RATE_LIMIT_SCHEMA_MS`;
   * the time the checks actually took, refilled continuously); past it, publishes to the tenant's
   * queues with a schema answer 429 MQ_QUOTA_EXCEEDED with `Retry-After`. @defaultValue 5000
   */
  schemaCheckMsPerWindow: number;
  /** Window of every rate, ms (`RATE_LIMIT_WINDOW_MS`). @defaultValue 60000 */
  windowMs: number;
}

/** How long records are kept (pruned by age every `sweepIntervalMs`). */
export interface RetentionConfig {
  /** `consumption_records` and `message_records` rows (`RECORDS_RETENTION_DAYS`). @defaultValue 7 days */
  recordsMs: number;
  /** Rows of `mq_admin_audit_log` (`AUDIT_RETENTION_DAYS`). @defaultValue 90 days */
  auditMs: number;
  /** Dead letters of every queue (`DEAD_LETTER_RETENTION_DAYS`). @defaultValue 14 days */
  deadLettersMs: number;
}

/**
 * Everything the sample service reads from its environment, resolved once at start-up. Tests
 * build one directly (random prefix, own database, short timers) instead of touching `process.env`.
 */
export interface SampleConfig {
  /** HTTP port (`PORT`). @defaultValue 3010 */
  port: number;
  /** Interface the HTTP server binds to (`HOST`). @defaultValue '127.0.0.1' (the Docker image sets 0.0.0.0) */
  host: string;
  /** Redis (`REDIS_URL`). @defaultValue 'redis://127.0.0.1:6379' */
  redisUrl: string;
  /** PostgreSQL (`DATABASE_URL`); the database is created at start-up when missing. */
  databaseUrl: string;
  /** Key namespace of the transport (`MQ_PREFIX`). @defaultValue 'mq' */
  prefix: string;
  /** Consumer group of the platform handlers (`MQ_GROUP`). @defaultValue 'platform-service' */
  group: string;
  /** Bearer token verification. */
  jwt: JwtConfig;
  /** Shared secret of the internal API, header `X-Service-Token` (`INTERNAL_SERVICE_TOKEN`). */
  internalServiceToken: string;
  /**
   * Credential of `GET /metrics` (Prometheus) and of the detailed health, as `Authorization: Bearer
   * <token>` (`METRICS_TOKEN`). An admin JWT is accepted too. Both endpoints always need one of them.
   */
  metricsToken: string | undefined;
  /** JWT role that may read `/metrics` and the detailed health (`MONITORING_ROLE`). @defaultValue 'monitoring' */
  monitoringRole: string;
  /** Which secrets are the built-in development values (warned about at start). */
  devDefaults: ('JWT_SECRET' | 'INTERNAL_SERVICE_TOKEN')[];
  /** Development mode (`NODE_ENV=development` or `--dev`): the built-in secrets are accepted. */
  devMode: boolean;
  /** Largest request body in bytes (`MAX_BODY_BYTES`); bigger → 413. @defaultValue 1 MiB */
  maxBodyBytes: number;
  /** Most queues per tenant (`MAX_QUEUES_PER_TENANT`); more → 429 MQ_QUOTA_EXCEEDED. @defaultValue 100 */
  maxQueuesPerTenant: number;
  /** Per-tenant subscription quota and rate limits. */
  limits: TenantLimits;
  /**
   * Webhook targets admitted although private / loopback / link-local (`MQ_WEBHOOK_ALLOW`, comma
   * separated host names and CIDRs, e.g. `127.0.0.1/32,hooks.internal`). @defaultValue none
   */
  webhookAllow: string[];
  /** Resolves webhook host names (at creation and at every connection). @defaultValue the system resolver; tests pass a stub */
  webhookResolver?: WebhookResolver;
  /** How long a publish waits for Redis before answering 503 (`REDIS_TIMEOUT_MS`). @defaultValue 5000 */
  redisTimeoutMs: number;
  /** XREADGROUP BLOCK of the consumers (`MQ_BLOCK_MS`). @defaultValue 2000 */
  blockMs: number;
  /** Idle time before another replica takes a pending message over (`MQ_CLAIM_IDLE_MS`). @defaultValue 30000 */
  claimIdleMs: number;
  /** How often every replica re-reads subscriptions and queue settings from PostgreSQL (`SYNC_INTERVAL_MS`). @defaultValue 5000 */
  syncIntervalMs: number;
  /** How often every queue is trimmed at its own retention, and old records pruned (`RETENTION_SWEEP_INTERVAL_MS`). @defaultValue 60000 */
  retentionSweepIntervalMs: number;
  /** Ages after which records, audit rows and dead letters are pruned. */
  retention: RetentionConfig;
  /** How often publish / delivery rates are sampled (`RATE_SAMPLE_INTERVAL_MS`). @defaultValue 10000 */
  rateSampleIntervalMs: number;
  /** Refresh period of the Prometheus queue gauges (`METRICS_GAUGE_INTERVAL_MS`). @defaultValue 5000 */
  gaugeIntervalMs: number;
  /** Webhook request timeout when the subscription sets none (`WEBHOOK_TIMEOUT_MS`). @defaultValue 10000 */
  webhookTimeoutMs: number;
  /** Concurrent webhook requests per subscription (`WEBHOOK_CONCURRENCY`). @defaultValue 8 */
  webhookConcurrency: number;
  /** Alert when a group's backlog (undelivered + unacked) exceeds this (`ALERT_BACKLOG`). @defaultValue 1000 */
  alertBacklog: number;
  /** Alert when a group's oldest undelivered message is older than this, in seconds (`ALERT_LAG_SECONDS`). @defaultValue 60 */
  alertLagSeconds: number;
  /** How long `close()` waits for in-flight handlers (`SHUTDOWN_TIMEOUT_MS`). @defaultValue 10000 */
  shutdownTimeoutMs: number;
  /**
   * Versioned master keys of payload encryption (`MQ_PAYLOAD_MASTER_KEYS`, `MQ_PAYLOAD_KEY_VERSION`);
   * tenant keys are derived from them with HKDF. @defaultValue none (encrypted queues refused)
   */
  payloadKeys?: PayloadKeyConfig;
}

const DAY_MS = 86_400_000;

/**
 * Reads the configuration from environment variables (see docs/sample.md). The built-in
 * development secrets are refused unless `NODE_ENV=development` or the `--dev` flag is given.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): SampleConfig {
  const devMode = env.NODE_ENV === 'development' || argv.includes('--dev');
  const devDefaults: SampleConfig['devDefaults'] = [];
  const jwksUrl = env.JWT_JWKS_URL || undefined;
  const publicKeyPem = env.JWT_PUBLIC_KEY ? env.JWT_PUBLIC_KEY.replace(/\\n/g, '\n') : undefined;
  const secret = (name: 'JWT_SECRET' | 'INTERNAL_SERVICE_TOKEN', fallback: string): string => {
    const value = env[name];
    if (value && value !== fallback) return value;
    if (!devMode) {
      throw new Error(
        `${name} must be set to your own secret (the built-in value is for development only: start with --dev or NODE_ENV=development to use it)`,
      );
    }
    devDefaults.push(name);
    return fallback;
  };
  // With a public key or a JWKS, no shared secret is needed; a secret given as well is still used for HS256.
  const jwtSecret = jwksUrl || publicKeyPem ? env.JWT_SECRET || undefined : secret('JWT_SECRET', DEV_JWT_SECRET);
  if (jwksUrl && publicKeyPem) throw new Error('Set JWT_JWKS_URL or JWT_PUBLIC_KEY, not both');
  return {
    port: int(env, 'PORT', 3010, 0),
    host: env.HOST || '127.0.0.1',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mq_sample',
    prefix: env.MQ_PREFIX || 'mq',
    group: env.MQ_GROUP || 'platform-service',
    jwt: {
      secret: jwtSecret,
      publicKeyPem,
      jwksUrl,
      algorithms: algorithmsOf(env.JWT_ALGORITHMS, jwtSecret !== undefined && !jwksUrl && !publicKeyPem),
      issuer: env.JWT_ISSUER || undefined,
      audience: env.JWT_AUDIENCE || undefined,
      clockToleranceSeconds: int(env, 'JWT_CLOCK_TOLERANCE_S', 5, 0),
    },
    internalServiceToken: secret('INTERNAL_SERVICE_TOKEN', DEV_INTERNAL_SERVICE_TOKEN),
    metricsToken: env.METRICS_TOKEN || undefined,
    monitoringRole: env.MONITORING_ROLE || 'monitoring',
    devDefaults,
    devMode,
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024),
    maxQueuesPerTenant: int(env, 'MAX_QUEUES_PER_TENANT', 100, 1),
    limits: {
      maxSubscriptions: int(env, 'MAX_SUBSCRIPTIONS_PER_TENANT', 50, 1),
      requestsPerWindow: int(env, 'RATE_LIMIT_REQUESTS', 600, 1),
      publishPerWindow: int(env, 'RATE_LIMIT_PUBLISH', 5_000, 1),
      authFailuresPerWindow: int(env, 'RATE_LIMIT_AUTH_FAILURES', 30, 1),
      schemaCheckMsPerWindow: int(env, 'RATE_LIMIT_SCHEMA_MS', 5_000, 1),
      windowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 100),
    },
    webhookAllow: (env.MQ_WEBHOOK_ALLOW ?? '').split(',').map(s => s.trim()).filter(Boolean),
    redisTimeoutMs: int(env, 'REDIS_TIMEOUT_MS', 5_000, 100),
    blockMs: int(env, 'MQ_BLOCK_MS', 2_000, 10),
    claimIdleMs: int(env, 'MQ_CLAIM_IDLE_MS', 30_000, 100),
    syncIntervalMs: int(env, 'SYNC_INTERVAL_MS', 5_000, 50),
    retentionSweepIntervalMs: int(env, 'RETENTION_SWEEP_INTERVAL_MS', 60_000, 50),
    retention: {
      recordsMs: int(env, 'RECORDS_RETENTION_DAYS', 7, 1) * DAY_MS,
      auditMs: int(env, 'AUDIT_RETENTION_DAYS', 90, 1) * DAY_MS,
      deadLettersMs: int(env, 'DEAD_LETTER_RETENTION_DAYS', 14, 1) * DAY_MS,
    },
    rateSampleIntervalMs: int(env, 'RATE_SAMPLE_INTERVAL_MS', 10_000, 50),
    gaugeIntervalMs: int(env, 'METRICS_GAUGE_INTERVAL_MS', 5_000, 0),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 8, 1),
    alertBacklog: int(env, 'ALERT_BACKLOG', 1_000, 0),
    alertLagSeconds: int(env, 'ALERT_LAG_SECONDS', 60, 0),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    payloadKeys: loadPayloadKeys(env),
  };
}

function algorithmsOf(raw: string | undefined, hmac: boolean): JwtAlgorithm[] {
  if (!raw) return hmac ? ['HS256'] : ['RS256', 'ES256'];
  const list = raw.split(',').map(s => s.trim()).filter(Boolean);
  const bad = list.find(a => !['HS256', 'RS256', 'ES256'].includes(a));
  if (bad || !list.length) throw new Error(`JWT_ALGORITHMS must list HS256, RS256 or ES256, got "${raw}"`);
  return list as JwtAlgorithm[];
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}
