import type { RedisStreamsIntegration } from './redis-streams-integration.interface.js';

/**
 * Static options of `RedisStreamsModule.forRoot` / `forRootAsync`: they shape the module's
 * providers, so they are given directly, never through an async factory.
 */
export interface RedisStreamsModuleExtras {
  /** Register the module globally (its server, clients and admin injectable everywhere). @defaultValue true */
  isGlobal?: boolean;
  /** Names of the `ClientRedisStreams` to provide (`@InjectRedisStreamsClient(name)`). @defaultValue ['default'] */
  clients?: string[];
  /**
   * Integrations from the subpaths: `withPrometheusMetrics()` (`/prometheus`), `withTypeOrmRecording()`
   * (`/typeorm`), `withTerminusHealth()` (`/terminus`). Without any, the module is the transport only.
   * @defaultValue []
   */
  integrations?: RedisStreamsIntegration[];
}
