import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RedisStreamsAdmin } from '../admin/redis-streams-admin.js';
import { ServerRedisStreams } from '../server/server-redis-streams.js';
import { RedisStreamsClientRegistry } from './redis-streams-client.registry.js';
import { RedisStreamsMonitor } from './redis-streams-monitor.js';

/**
 * Shutdown order of the module. Before the application shuts down: the server drains its handlers
 * (an integration that writes what they did, like the TypeORM recorder, waits for that drain and
 * flushes before its DataSource is destroyed in `onApplicationShutdown`). Afterwards: the clients,
 * the admin and the monitoring connection close. `ServerRedisStreams#close` is idempotent and
 * memoised, so Nest closing the microservice again is harmless.
 */
@Injectable()
export class RedisStreamsLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly registry: RedisStreamsClientRegistry,
    @Inject(RedisStreamsAdmin) private readonly admin: RedisStreamsAdmin,
    @Inject(RedisStreamsMonitor) private readonly monitor: RedisStreamsMonitor,
    @Optional() @Inject(ServerRedisStreams) private readonly server?: ServerRedisStreams | null,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...[...this.registry.clients].map(client => client.close()), this.admin.close()]);
    await this.monitor.close();
  }
}
