import { Module } from '@nestjs/common';
import { QueueRuntimeRegistry } from './queue-runtime.registry.js';

/**
 * Holds only the registry, with no dependency, so that `RedisStreamsModule.forRootAsync` can
 * import it for the client's `maxLen` function without an import cycle.
 */
@Module({ providers: [QueueRuntimeRegistry], exports: [QueueRuntimeRegistry] })
export class QueueRuntimeRegistryModule {}
