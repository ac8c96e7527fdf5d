// The message journey of the two core apps (compiled as CommonJS and as ESM): the package root only,
// its peers only. emit → handler → ack, a retry that succeeds, a retry that runs out, an unrecoverable
// message; both failures end as dead letters and nothing stays pending. Exits 0 on success.
import 'reflect-metadata';
import { Controller, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  ClientRedisStreams,
  RedisStreamsAdmin,
  RedisStreamsContext,
  ServerRedisStreams,
  UnrecoverableMessageError,
  redisStreamsClient,
  redisStreamsExtras,
} from 'nestjs-redis-streams-transport';
import { deletePrefix, until } from './e2e-helpers.js';

interface Order {
  id: string;
  fail?: 'once' | 'always' | 'poison';
}

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const prefix = `pkgtest-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
const calls: { id: string; attempt: number }[] = [];

@Controller()
class BillingHandlers {
  @EventPattern<string>('orders', redisStreamsExtras({ retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 100, jitter: false } } }))
  onOrder(@Payload() order: Order, @Ctx() ctx: RedisStreamsContext): void {
    calls.push({ id: order.id, attempt: ctx.getAttempt() });
    if (order.fail === 'poison') throw new UnrecoverableMessageError('poison order');
    if (order.fail === 'always' || (order.fail === 'once' && ctx.getAttempt() === 1)) {
      throw new Error(`attempt ${ctx.getAttempt()} of ${order.id} failed`);
    }
  }
}

@Injectable()
class Orders {
  constructor(@Inject('MQ') private readonly client: ClientRedisStreams) {}

  place(order: Order): Promise<string> {
    return lastValueFrom(this.client.emit<string>('orders', order));
  }
}

@Module({
  imports: [ClientsModule.register([redisStreamsClient('MQ', { connection, prefix })])],
  controllers: [BillingHandlers],
  providers: [Orders],
})
class AppModule {}

function attemptsOf(id: string): number[] {
  return calls.filter(c => c.id === id).map(c => c.attempt);
}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
    strategy: new ServerRedisStreams({ connection, prefix, group: 'billing', blockMs: 200 }),
    logger: ['error'],
  });
  app.enableShutdownHooks();
  await app.listen();
  const admin = new RedisStreamsAdmin({ connection, prefix });
  try {
    const orders = app.get(Orders);
    const ids = await Promise.all([
      orders.place({ id: 'ok' }),
      orders.place({ id: 'flaky', fail: 'once' }),
      orders.place({ id: 'broken', fail: 'always' }),
      orders.place({ id: 'poison', fail: 'poison' }),
    ]);
    if (new Set(ids).size !== 4) throw new Error(`emit resolved with ${JSON.stringify(ids)}`);

    const deadLetters = await until('two dead letters', async () => {
      const letters = await admin.listDeadLetters('orders');
      return letters.length >= 2 ? letters : undefined;
    });
    await until('an empty pending list', async () => {
      const topic = await admin.getTopic('orders');
      return topic && topic.groups.every(g => g.pending === 0) ? true : undefined;
    });
    const expected: Record<string, number[]> = { ok: [1], flaky: [1, 2], broken: [1, 2], poison: [1] };
    for (const [id, attempts] of Object.entries(expected)) {
      if (JSON.stringify(attemptsOf(id)) !== JSON.stringify(attempts)) {
        throw new Error(`${id}: attempts ${JSON.stringify(attemptsOf(id))}, expected ${JSON.stringify(attempts)}`);
      }
    }
    const dead = deadLetters.map(d => (d.data as Order).id).sort();
    if (JSON.stringify(dead) !== '["broken","poison"]') throw new Error(`dead letters: ${JSON.stringify(dead)}`);
    console.log(`ok: acked 2 messages (one after a retry), dead-lettered 2 (${dead.join(', ')}), nothing pending`);
  } finally {
    await app.close();
    await admin.close();
    await deletePrefix(connection.url, prefix);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
