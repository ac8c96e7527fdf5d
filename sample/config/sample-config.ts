import { DEV_INTERNAL_SERVICE_TOKEN, DEV_JWT_SECRET } from './dev-defaults.js';

/** Injection token of the resolved `SampleConfig`. */
export const SAMPLE_CONFIG = 'SAMPLE_CONFIG';

/**
 * Everything the sample service reads from its environment, resolved once at start-up. Tests
 * build one directly (random prefix, own database, short timers) instead of touching `process.env`.
 */
export interface SampleConfig {
  /** HTTP port (`PORT`). @defaultValue 3010 */
  port: number;
  /** Interface the HTTP server binds to (`HOST`). @defaultValue '0.0.0.0' */
  host: string;
  /** Redis (`REDIS_URL`). @defaultValue 'redis://127.0.0.1:6379' */
  redisUrl: string;
  /** PostgreSQL (`DATABASE_URL`); the database is created at start-up when missing. */
  databaseUrl: string;
  /** Key namespace of the transport (`MQ_PREFIX`). @defaultValue 'mq' */
  prefix: string;
  /** Consumer group of the platform handlers (`MQ_GROUP`). @defaultValue 'platform-service' */
  group: string;
  /** HS256 secret of the bearer tokens (`JWT_SECRET`). */
  jwtSecret: string;
  /** Shared secret of the internal API, header `X-Service-Token` (`INTERNAL_SERVICE_TOKEN`). */
  internalServiceToken: string;
  /** When set, `GET /metrics` (Prometheus) needs `Authorization: Bearer <token>` (`METRICS_TOKEN`). */
  metricsToken: string | undefined;
  /** Which of the secrets above are the built-in development defaults (warned about at start). */
  devDefaults: ('JWT_SECRET' | 'INTERNAL_SERVICE_TOKEN')[];
  /** Largest request body in bytes (`MAX_BODY_BYTES`); bigger → 413. @defaultValue 1 MiB */
  maxBodyBytes: number;
  /** Most queues per tenant (`MAX_QUEUES_PER_TENANT`); more → 429 MQ_QUOTA_EXCEEDED. @defaultValue 100 */
  maxQueuesPerTenant: number;
  /** How long a publish waits for Redis before answering 503 (`REDIS_TIMEOUT_MS`). @defaultValue 5000 */
  redisTimeoutMs: number;
  /** XREADGROUP BLOCK of the consumers (`MQ_BLOCK_MS`). @defaultValue 2000 */
  blockMs: number;
  /** Idle time before another replica takes a pending message over (`MQ_CLAIM_IDLE_MS`). @defaultValue 30000 */
  claimIdleMs: number;
  /** How often every replica re-reads subscriptions and queue settings from PostgreSQL (`SYNC_INTERVAL_MS`). @defaultValue 5000 */
  syncIntervalMs: number;
  /** How often every queue is trimmed at its own retention (`RETENTION_SWEEP_INTERVAL_MS`). @defaultValue 60000 */
  retentionSweepIntervalMs: number;
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
}

/** Reads the configuration from environment variables (see docs/readme-sample.md). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const devDefaults: SampleConfig['devDefaults'] = [];
  const secret = (name: 'JWT_SECRET' | 'INTERNAL_SERVICE_TOKEN', fallback: string): string => {
    const value = env[name];
    if (value) return value;
    if (env.NODE_ENV === 'production') {
      throw new Error(`${name} must be set when NODE_ENV=production (the built-in value is for development only)`);
    }
    devDefaults.push(name);
    return fallback;
  };
  return {
    port: int(env, 'PORT', 3010, 0),
    host: env.HOST || '0.0.0.0',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mq_sample',
    prefix: env.MQ_PREFIX || 'mq',
    group: env.MQ_GROUP || 'platform-service',
    jwtSecret: secret('JWT_SECRET', DEV_JWT_SECRET),
    internalServiceToken: secret('INTERNAL_SERVICE_TOKEN', DEV_INTERNAL_SERVICE_TOKEN),
    metricsToken: env.METRICS_TOKEN || undefined,
    devDefaults,
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024),
    maxQueuesPerTenant: int(env, 'MAX_QUEUES_PER_TENANT', 100, 1),
    redisTimeoutMs: int(env, 'REDIS_TIMEOUT_MS', 5_000, 100),
    blockMs: int(env, 'MQ_BLOCK_MS', 2_000, 10),
    claimIdleMs: int(env, 'MQ_CLAIM_IDLE_MS', 30_000, 100),
    syncIntervalMs: int(env, 'SYNC_INTERVAL_MS', 5_000, 50),
    retentionSweepIntervalMs: int(env, 'RETENTION_SWEEP_INTERVAL_MS', 60_000, 50),
    rateSampleIntervalMs: int(env, 'RATE_SAMPLE_INTERVAL_MS', 10_000, 50),
    gaugeIntervalMs: int(env, 'METRICS_GAUGE_INTERVAL_MS', 5_000, 0),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 8, 1),
    alertBacklog: int(env, 'ALERT_BACKLOG', 1_000, 0),
    alertLagSeconds: int(env, 'ALERT_LAG_SECONDS', 60, 0),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
  };
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
