import type { InjectionToken, ModuleMetadata, Provider } from '@nestjs/common';

/**
 * What an integration (metrics, recording, health) adds to `RedisStreamsModule`: providers living in
 * the module (so they can inject its options, `StreamKeys`, `RedisStreamsMonitor`, `ServerRedisStreams`)
 * and the observers the transport calls. Made by the subpaths, e.g. `withPrometheusMetrics()` from
 * `nestjs-redis-streams-transport/prometheus`, so the root never loads their libraries.
 * @publicApi
 */
export interface RedisStreamsIntegration {
  /** Modules whose exported providers the integration's providers inject. @defaultValue [] */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers added to the module. */
  readonly providers: Provider[];
  /** Providers the module exports (injectable by the application). @defaultValue [] */
  readonly exports?: InjectionToken[];
  /**
   * Providers among `providers` whose value is a `RedisStreamsObserver` (or `null`): composed into
   * the observer of the module's server and clients.
   * @defaultValue []
   */
  readonly observers?: InjectionToken[];
}
