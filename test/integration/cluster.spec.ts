import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { Cluster } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import {
  ClientRedisStreams,
  RedisStreamsAdmin,
  RedisStreamsContext,
  RedisStreamsRecordBuilder,
} from '../../lib/index.js';
import { startServer, type TestServer } from '../helpers/nest.js';
import { randomPrefix } from '../helpers/redis.js';
import { PrivateRedisCluster } from '../helpers/redis-cluster.js';
import { waitFor } from '../helpers/wait.js';

describe('Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let server: TestServer | undefined;
  let client: ClientRedisStreams | undefined;
  let admin: RedisStreamsAdmin | undefined;

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start();
  }, 60_000);

  afterAll(async () => {
    await cluster.stop();
  });

  afterEach(async () => {
    await client?.close();
    await server?.close();
    await admin?.close();
  });

  it('should deliver, retry, dead-letter, delay and administer topics living on different nodes', async () => {
    const prefix = randomPrefix();
    const topics = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const seen: { topic: string; attempt: number }[] = [];
    const handlers = topics.map(topic => {
      @Controller()
      class H {
        @EventPattern<string>(topic, { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 50 } } })
        handle(@Ctx() ctx: RedisStreamsContext) {
          seen.push({ topic: ctx.getTopic(), attempt: ctx.getAttempt() });
          if (ctx.getHeaders()['x-fail']) throw new Error('fails on purpose');
        }
      }
      return H;
    });
    server = await startServer(handlers, { prefix, group: 'g', connection: cluster.connection });
    client = new ClientRedisStreams({ connection: cluster.connection, prefix });
    admin = new RedisStreamsAdmin({ connection: cluster.connection, prefix });

    const redis = (await client.connect()) as Cluster;
    for (const topic of topics) await lastValueFrom(client.emit(topic, { topic }));
    const slots = new Set(await Promise.all(topics.map(t => redis.cluster('KEYSLOT', `${prefix}:{${t}}`))));
    expect(slots.size).toBeGreaterThan(1); // the topics really are spread over slots
    await waitFor(() => topics.every(t => seen.some(s => s.topic === t)), 'one delivery per topic');

    await lastValueFrom(client.emit('alpha', new RedisStreamsRecordBuilder({}).setHeaders({ 'x-fail': '1' }).build()));
    await lastValueFrom(client.emit('bravo', new RedisStreamsRecordBuilder({ late: true }).setDelay(200).build()));
    await client.emitBatch('charlie', [{ n: 1 }, { n: 2 }]);
    await waitFor(async () => (await admin!.getTopic('alpha'))?.deadLetters === 1, 'a dead letter on alpha');
    await waitFor(() => seen.filter(s => s.topic === 'bravo').length === 2, 'the delayed message');
    await waitFor(() => seen.filter(s => s.topic === 'charlie').length === 3, 'the batch');
    expect(seen.filter(s => s.topic === 'alpha').map(s => s.attempt)).toEqual([1, 1, 2]);

    const listed = await admin.listTopics();
    expect(listed.map(t => t.topic)).toEqual(topics);
    expect(await admin.replayDeadLetters('alpha')).toBe(1);
    await waitFor(() => seen.filter(s => s.topic === 'alpha').length === 5, 'the replayed message, twice');
  });
});
