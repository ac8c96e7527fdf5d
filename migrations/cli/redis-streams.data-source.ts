/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`), and nothing else: exactly one exported
 * DataSource, as the CLI wants. It is compiled by `migrations/tsconfig.json` before every CLI run,
 * because tsx/esbuild emit no decorator metadata and ts-node is not used here.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { REDIS_STREAMS_ENTITIES } from '../../lib/persistence/redis-streams.entities.js';
import { InitialSchema1795303480067 } from '../1795303480067-InitialSchema.js';
import { OutboxInbox1795843343299 } from '../1795843343299-OutboxInbox.js';
import { ConsumptionRecordsBrin1795844200000 } from '../1795844200000-ConsumptionRecordsBrin.js';

export const dataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://mq_test:mq_test@127.0.0.1:5432/mq_test',
  entities: [...REDIS_STREAMS_ENTITIES],
  // Listed explicitly (no glob): add every new migration class here.
  migrations: [InitialSchema1795303480067, OutboxInbox1795843343299, ConsumptionRecordsBrin1795844200000],
  uuidExtension: 'pgcrypto',
  synchronize: false,
  migrationsRun: false,
});
