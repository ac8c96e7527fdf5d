import type { NestExpressApplication } from '@nestjs/platform-express';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Client } from 'pg';
import type { Redis } from 'ioredis';
import { createSampleApp } from '../../../sample/app.factory.js';
import { loadConfig, type JwtConfig, type SampleConfig, type TenantLimits } from '../../../sample/config/sample-config.js';
import { deletePrefix, inspector, randomPrefix, redisUrl } from '../../helpers/redis.js';

/** The PostgreSQL the suite uses (resolved by test/global-setup.cjs); its role has CREATEDB. */
function databaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test';
}

/** Claims of a test token. */
export interface TokenClaims {
  sub?: string;
  tenant_id?: string;
  roles?: string[];
}

/** One running sample service with its own database, key prefix and secrets. */
export interface SampleHarness {
  app: NestExpressApplication;
  /** For supertest. */
  http: Server;
  config: SampleConfig;
  /** Redis connection for assertions on keys of `config.prefix`. */
  redis: Redis;
  /** A bearer token signed with this app's secret (default: sub "alice", a random tenant, role admin). */
  token(claims?: TokenClaims): string;
  /** The tenant of `token()` without a `tenant_id` claim. */
  tenant: string;
  /** Runs SQL against the app's database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Config overrides of a test app (`jwt` and `limits` fields merge into the defaults). */
export type SampleOverrides = Omit<Partial<SampleConfig>, 'jwt' | 'limits'> & { jwt?: Partial<JwtConfig>; limits?: Partial<TenantLimits> };

/**
 * Starts the sample (`createSampleApp`, the code `main.ts` runs) on 127.0.0.1 port 0 with a fresh
 * database `mq_s_<random>` (the app creates it at start, as on a fresh machine, and runs its
 * migrations), a random key prefix, random secrets and short timers. `close()` stops it, drops
 * the database and deletes the prefix's keys.
 */
export async function startSampleApp(overrides: SampleOverrides = {}): Promise<SampleHarness> {
  const database = `mq_s_${randomBytes(6).toString('hex')}`;
  const base = loadConfig({ JWT_SECRET: 'set-below', INTERNAL_SERVICE_TOKEN: 'set-below' }, []);
  const url = new URL(databaseUrl());
  url.pathname = `/${database}`;
  const config: SampleConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    redisUrl: redisUrl(),
    databaseUrl: url.toString(),
    prefix: randomPrefix(),
    internalServiceToken: randomBytes(24).toString('hex'),
    metricsToken: randomBytes(12).toString('hex'),
    devDefaults: [],
    // The tests' webhook receivers listen on 127.0.0.1: admitted as an operator would (MQ_WEBHOOK_ALLOW).
    webhookAllow: ['127.0.0.1/32'],
    blockMs: 200,
    redisTimeoutMs: 1_000,
    claimIdleMs: 5_000,
    syncIntervalMs: 300,
    rateSampleIntervalMs: 200,
    gaugeIntervalMs: 0,
    shutdownTimeoutMs: 3_000,
    ...overrides,
    jwt: { ...base.jwt, secret: randomBytes(24).toString('hex'), ...overrides.jwt },
    limits: { ...base.limits, ...overrides.limits },
  };
  const redis = inspector();
  let app: NestExpressApplication | undefined;
  try {
    app = await createSampleApp(config, { logger: process.env.SAMPLE_TEST_LOGS ? undefined : false });
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await app?.close().catch(() => undefined);
    await dropDatabase(database);
    redis.disconnect();
    throw err;
  }
  const tenant = `t${randomBytes(4).toString('hex')}`;
  const jwt = new JwtService({ secret: config.jwt.secret });
  const started = app;
  return {
    app: started,
    http: started.getHttpServer(),
    config,
    redis,
    tenant,
    token: (claims = {}) =>
      jwt.sign({ sub: 'alice', tenant_id: tenant, roles: ['admin'], ...claims }, { algorithm: 'HS256', expiresIn: '10m' }),
    sql: async <T>(text: string, params: unknown[] = []) => withClient(url.toString(), async c => (await c.query(text, params)).rows as T[]),
    close: async () => {
      await started.close();
      await dropDatabase(database);
      await deletePrefix(redis, config.prefix);
      redis.disconnect();
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  await withClient(databaseUrl(), c => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function withClient<T>(connectionString: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
