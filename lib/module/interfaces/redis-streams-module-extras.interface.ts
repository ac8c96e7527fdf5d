/**
 * Static options of `RedisStreamsModule.forRoot` / `forRootAsync`: they shape the module's
 * providers, so they are given directly, never through an async factory.
 */
export interface RedisStreamsModuleExtras {
  /** Register the module globally (its server, clients, admin and health indicator injectable everywhere). @defaultValue true */
  isGlobal?: boolean;
  /** Names of the `ClientRedisStreams` to provide (`@InjectRedisStreamsClient(name)`). @defaultValue ['default'] */
  clients?: string[];
}
