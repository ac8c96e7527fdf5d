/** Name of the client `@InjectRedisStreamsClient()` injects when given none. */
export const DEFAULT_REDIS_STREAMS_CLIENT = 'default';

/** The options of `RedisStreamsModule` (`RedisStreamsModuleOptions`). */
export const REDIS_STREAMS_MODULE_OPTIONS = 'REDIS_STREAMS_MODULE_OPTIONS';

/** Resolved metrics options (`ResolvedMetricsOptions`). */
export const REDIS_STREAMS_METRICS_OPTIONS = 'REDIS_STREAMS_METRICS_OPTIONS';

/** Default thresholds of the health indicator (`RedisStreamsHealthOptions`). */
export const REDIS_STREAMS_HEALTH_OPTIONS = 'REDIS_STREAMS_HEALTH_OPTIONS';

/** The observer handed to the server and the clients: the integrations' observers composed, or `null`. */
export const REDIS_STREAMS_OBSERVER = 'REDIS_STREAMS_OBSERVER';

/**
 * Injection token of a `ClientRedisStreams` provided by `RedisStreamsModule`.
 * @param name - one of the module's `clients`. @defaultValue 'default'
 * @publicApi
 */
export function getRedisStreamsClientToken(name: string = DEFAULT_REDIS_STREAMS_CLIENT): string {
  return `RedisStreamsClient:${name}`;
}

/**
 * `RecorderHooks` of the TypeORM recorder, provided by the Prometheus integration (its persistence
 * counters); the recorder runs without hooks when no integration provides them.
 */
export const REDIS_STREAMS_RECORDER_HOOKS = 'REDIS_STREAMS_RECORDER_HOOKS';
