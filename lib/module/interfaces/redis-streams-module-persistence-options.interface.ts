import type { RecorderDatabase } from '../../persistence/consumption-recorder.js';
import type { RedisStreamsPersistenceOptions } from '../../persistence/interfaces/redis-streams-persistence-options.interface.js';

/** `persistence` of `RedisStreamsModule`: the recorder's options, plus where its database comes from. */
export interface RedisStreamsModulePersistenceOptions
  extends Omit<RedisStreamsPersistenceOptions, 'prefix' | 'subscriptionDefaults'> {
  /**
   * The database to write to, e.g. a TypeORM `DataSource` injected in `forRootAsync`. Without it the
   * module looks up the `@nestjs/typeorm` DataSource named `dataSourceName` when it first writes.
   * @defaultValue the DataSource named `dataSourceName`
   */
  dataSource?: RecorderDatabase;
}
