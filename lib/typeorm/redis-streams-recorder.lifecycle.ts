import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { ConsumptionRecorder } from '../persistence/consumption-recorder.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';

/**
 * Writes the last records on shutdown: after the server drained its handlers (their outcomes are
 * records too) and before TypeORM destroys its DataSource in `onApplicationShutdown`.
 */
@Injectable()
export class RedisStreamsRecorderLifecycle implements BeforeApplicationShutdown {
  constructor(
    @Inject(ConsumptionRecorder) private readonly recorder: ConsumptionRecorder,
    @Optional() @Inject(ServerRedisStreams) private readonly server?: ServerRedisStreams | null,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    // close() is memoised: this waits for the same drain the module's own lifecycle started.
    await this.server?.close();
    await this.recorder.close();
  }
}
