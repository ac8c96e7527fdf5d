import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../sample/config/sample-config.js';
import { DEV_INTERNAL_SERVICE_TOKEN, DEV_JWT_SECRET } from '../../../sample/config/dev-defaults.js';

describe('loadConfig', () => {
  it('should default to 127.0.0.1:3010, local Redis and PostgreSQL, and mark the dev secrets in dev mode', () => {
    const config = loadConfig({}, ['--dev']);
    expect(config).toMatchObject({
      port: 3010,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/mq_sample',
      prefix: 'mq',
      jwt: { secret: DEV_JWT_SECRET, algorithms: ['HS256'], issuer: undefined, audience: undefined },
      internalServiceToken: DEV_INTERNAL_SERVICE_TOKEN,
      devMode: true,
      maxBodyBytes: 1024 * 1024,
      alertBacklog: 1000,
      alertLagSeconds: 60,
      limits: { maxSubscriptions: 50, requestsPerWindow: 600, publishPerWindow: 5000, schemaCheckMsPerWindow: 5000, windowMs: 60_000 },
      retention: { recordsMs: 7 * 86_400_000, auditMs: 90 * 86_400_000, deadLettersMs: 14 * 86_400_000 },
      webhookAllow: [],
    });
    expect(config.devDefaults).toEqual(['JWT_SECRET', 'INTERNAL_SERVICE_TOKEN']);
  });

  it('should read the environment', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        JWT_SECRET: 's',
        INTERNAL_SERVICE_TOKEN: 't',
        MQ_PREFIX: 'p',
        SYNC_INTERVAL_MS: '100',
        JWT_ISSUER: 'https://idp.example.com/',
        JWT_AUDIENCE: 'mq',
        MQ_WEBHOOK_ALLOW: '127.0.0.1/32, hooks.internal',
        MAX_SUBSCRIPTIONS_PER_TENANT: '3',
        RATE_LIMIT_REQUESTS: '10',
        RATE_LIMIT_PUBLISH: '20',
        RATE_LIMIT_SCHEMA_MS: '250',
        RATE_LIMIT_WINDOW_MS: '1000',
        RECORDS_RETENTION_DAYS: '2',
      },
      [],
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      jwt: { secret: 's', issuer: 'https://idp.example.com/', audience: 'mq' },
      internalServiceToken: 't',
      prefix: 'p',
      syncIntervalMs: 100,
      devDefaults: [],
      devMode: false,
      webhookAllow: ['127.0.0.1/32', 'hooks.internal'],
      limits: { maxSubscriptions: 3, requestsPerWindow: 10, publishPerWindow: 20, schemaCheckMsPerWindow: 250, windowMs: 1000 },
      retention: { recordsMs: 2 * 86_400_000 },
    });
  });

  it('should take RS256 / ES256 keys from a JWKS URL or a PEM without needing a secret', () => {
    const jwks = loadConfig({ JWT_JWKS_URL: 'https://idp.example.com/jwks.json', INTERNAL_SERVICE_TOKEN: 't' }, []);
    expect(jwks.jwt).toMatchObject({ secret: undefined, jwksUrl: 'https://idp.example.com/jwks.json', algorithms: ['RS256', 'ES256'] });
    const pem = loadConfig({ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----', JWT_ALGORITHMS: 'ES256', INTERNAL_SERVICE_TOKEN: 't' }, []);
    expect(pem.jwt).toMatchObject({ publicKeyPem: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----', algorithms: ['ES256'] });
    expect(() => loadConfig({ JWT_SECRET: 's', INTERNAL_SERVICE_TOKEN: 't', JWT_ALGORITHMS: 'none' }, [])).toThrow(/JWT_ALGORITHMS/);
  });

  it('should refuse the development secrets unless NODE_ENV=development or --dev', () => {
    expect(() => loadConfig({ INTERNAL_SERVICE_TOKEN: 't' }, [])).toThrow(/JWT_SECRET must be set/);
    expect(() => loadConfig({ JWT_SECRET: 's' }, [])).toThrow(/INTERNAL_SERVICE_TOKEN must be set/);
    // Setting the published development value explicitly is no better than leaving it unset.
    expect(() => loadConfig({ JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SERVICE_TOKEN: 't' }, [])).toThrow(/JWT_SECRET must be set/);
    expect(() => loadConfig({ NODE_ENV: 'production', INTERNAL_SERVICE_TOKEN: 't' }, ['--dev-ish'])).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'development' }, []).devDefaults).toEqual(['JWT_SECRET', 'INTERNAL_SERVICE_TOKEN']);
    expect(loadConfig({}, ['--dev']).devMode).toBe(true);
  });

  it('should reject a malformed number', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, ['--dev'])).toThrow('PORT must be an integer ≥ 0, got "eighty"');
    expect(() => loadConfig({ SYNC_INTERVAL_MS: '1' }, ['--dev'])).toThrow(/SYNC_INTERVAL_MS/);
  });

  it('should sign dev tokens with the same development secret the service accepts', () => {
    // sample/scripts/dev-token.mjs is plain JavaScript (no compilation): it carries its own copy.
    const script = readFileSync(join(__dirname, '../../../sample/scripts/dev-token.mjs'), 'utf8');
    expect(script).toContain(`export const DEV_JWT_SECRET = '${DEV_JWT_SECRET}';`);
  });
});
