import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { REDIS_STREAMS_ENTITIES, REDIS_STREAMS_MIGRATIONS } from '../../lib/typeorm/index.js';
import type { SampleConfig } from '../config/sample-config.js';
import { SampleSchema1795304282928 } from '../migrations/1795304282928-SampleSchema.js';
import { SampleOutboxInbox1795845108912 } from '../migrations/1795845108912-SampleOutboxInbox.js';
import { SampleQueueEncryption1795846000000 } from '../migrations/1795846000000-SampleQueueEncryption.js';
import { SAMPLE_ENTITIES } from './sample.entities.js';

/**
 * Every migration the service runs at start-up (TypeORM runs them in timestamp order): the
 * transport's tables (with the outbox and inbox), and the sample's, which reference them. Listed as
 * classes: globs misbehave under jest and bundlers.
 */
export const SAMPLE_MIGRATIONS = [...REDIS_STREAMS_MIGRATIONS, SampleSchema1795304282928, SampleOutboxInbox1795845108912, SampleQueueEncryption1795846000000];

/** TypeORM: the transport's and the sample's entities, migrations run at start-up, never `synchronize`. */
export function typeOrmOptions(config: SampleConfig): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: [...REDIS_STREAMS_ENTITIES, ...SAMPLE_ENTITIES],
    migrations: SAMPLE_MIGRATIONS,
    migrationsRun: true,
    uuidExtension: 'pgcrypto',
    synchronize: false,
    poolSize: 10,
    connectTimeoutMS: 5_000,
    // A start-up against a database that is still booting (docker compose) retries for ~30 s.
    retryAttempts: 10,
    retryDelay: 3_000,
  };
}
