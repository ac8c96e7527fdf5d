import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { RecorderDatabase } from '../persistence/consumption-recorder.js';
import type { RedisStreamsPersistenceOptions } from '../persistence/interfaces/redis-streams-persistence-options.interface.js';

/**
 * Options of `withTypeOrmRecording()`: the recorder's options (its key prefix and subscription
 * settings come from the module), plus where its database comes from.
 */
export interface RedisStreamsTypeOrmOptions extends Omit<RedisStreamsPersistenceOptions, 'prefix' | 'subscriptionDefaults'> {
  /**
   * The database to write to, e.g. a TypeORM `DataSource`. Without it the recorder looks up the
   * `@nestjs/typeorm` DataSource named `dataSourceName` when it first writes.
   * @defaultValue the DataSource named `dataSourceName`
   */
  dataSource?: RecorderDatabase;
}

/** `withTypeOrmRecording()` options made by a factory (e.g. to inject the `DataSource` or a config). */
export interface RedisStreamsTypeOrmAsyncOptions {
  /** Modules exporting what `inject` names. @defaultValue [] */
  imports?: ModuleMetadata['imports'];
  /** Providers passed to `useFactory`. @defaultValue [] */
  inject?: FactoryProvider['inject'];
  /** Makes the options. */
  useFactory: (...args: any[]) => RedisStreamsTypeOrmOptions | Promise<RedisStreamsTypeOrmOptions>;
}
