import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RedisStreamsAdmin } from '../admin/redis-streams-admin.js';
import { ConsumptionRecorder } from '../persistence/consumption-recorder.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import { RedisStreamsClientRegistry } from './redis-streams-client.registry.js';
import { RedisStreamsMonitor } from './redis-streams-monitor.js';

/**
 * Shutdown order of the module. Before the application shuts down (TypeORM destroys its
 * DataSource in `onApplicationShutdown`): the server drains its handlers, then the recorder
 * writes their records. Afterwards: the clients, the admin and the monitoring connection close.
 * `ServerRedisStreams#close` is idempotent, so Nest closing the microservice again is harmless.
 */
@Injectable()
export class RedisStreamsLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly registry: RedisStreamsClientRegistry,
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    @Inject(RedisStreamsMonitor) private readonly monitor: RedisStreamsMonitor,
    @Optional() @Inject(ServerRedisStreams) private readonly server?: ServerRedisStreams | null,
    @Optional() @Inject(ConsumptionRecorder) private readonly recorder?: ConsumptionRecorder | null,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
    await this.recorder?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...[...this.registry.clients].map(client => client.close()), this.admin.close()]);
    await this.monitor.close();
  }
}
