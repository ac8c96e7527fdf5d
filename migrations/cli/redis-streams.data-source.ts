/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`), and nothing else: exactly one exported
 * DataSource, as the CLI wants. It is compiled by `migrations/tsconfig.json` before every CLI run,
 * because tsx/esbuild emit no decorator metadata and ts-node is not used here.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { REDIS_STREAMS_ENTITIES } from '../../lib/persistence/redis-streams.entities.js';
import { REDIS_STREAMS_MIGRATIONS } from '../index.js';

export const dataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test',
  entities: [...REDIS_STREAMS_ENTITIES],
  // The shipped list (no glob): a new migration is added to migrations/index.ts.
  migrations: [...REDIS_STREAMS_MIGRATIONS],
  uuidExtension: 'pgcrypto',
  synchronize: false,
  migrationsRun: false,
});
