import { loadConfig } from '../../../sample/config/sample-config.js';
import { DEV_INTERNAL_SERVICE_TOKEN, DEV_JWT_SECRET } from '../../../sample/config/dev-defaults.js';

describe('loadConfig', () => {
  it('should default to port 3010, local Redis and PostgreSQL, and mark the dev secrets', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3010,
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/mq_sample',
      prefix: 'mq',
      jwtSecret: DEV_JWT_SECRET,
      internalServiceToken: DEV_INTERNAL_SERVICE_TOKEN,
      maxBodyBytes: 1024 * 1024,
      alertBacklog: 1000,
      alertLagSeconds: 60,
    });
    expect(config.devDefaults).toEqual(['JWT_SECRET', 'INTERNAL_SERVICE_TOKEN']);
  });

  it('should read the environment', () => {
    const config = loadConfig({ PORT: '8080', JWT_SECRET: 's', INTERNAL_SERVICE_TOKEN: 't', MQ_PREFIX: 'p', SYNC_INTERVAL_MS: '100' });
    expect(config).toMatchObject({ port: 8080, jwtSecret: 's', internalServiceToken: 't', prefix: 'p', syncIntervalMs: 100, devDefaults: [] });
  });

  it('should refuse to start with the development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', INTERNAL_SERVICE_TOKEN: 't' })).toThrow(/JWT_SECRET must be set/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's' })).toThrow(/INTERNAL_SERVICE_TOKEN must be set/);
  });

  it('should reject a malformed number', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be an integer ≥ 0, got "eighty"');
    expect(() => loadConfig({ SYNC_INTERVAL_MS: '1' })).toThrow(/SYNC_INTERVAL_MS/);
  });
});
