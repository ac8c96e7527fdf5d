import {
  Catch,
  Controller,
  Module,
  type ArgumentMetadata,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestMicroservice,
  type NestInterceptor,
  type PipeTransform,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { lastValueFrom, map, throwError, type Observable } from 'rxjs';
import { RedisStreamsContext, ServerRedisStreams } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { connection } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Nest's "Global Config is applied" scenario (integration/microservices of nestjs/nest) on this
 * transport: guards, interceptors, pipes and exception filters registered with `useGlobal*()` on the
 * microservice run for its handlers, and what each does to a message's outcome here (a guard that
 * refuses or a filter that rethrows fails the delivery: retried, then dead-lettered, never acked).
 */
describe('global guards, interceptors, pipes and filters', () => {
  const f = useRedisFixture();
  let app: INestMicroservice;
  const calls = { guard: [] as string[], interceptor: [] as string[], pipe: 0, filter: [] as string[] };
  const handled: unknown[] = [];

  const topicOf = (context: ExecutionContext | ArgumentsHost) => context.switchToRpc().getContext<RedisStreamsContext>().getTopic();

  class SpyGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      calls.guard.push(topicOf(context));
      return topicOf(context) !== 'denied';
    }
  }

  class SpyInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      calls.interceptor.push(topicOf(context));
      return next.handle().pipe(map(value => (typeof value === 'number' ? value * 10 : value)));
    }
  }

  class SpyPipe implements PipeTransform {
    transform(value: unknown, metadata: ArgumentMetadata) {
      calls.pipe++;
      return metadata.type === 'body' && value && typeof value === 'object' && !Array.isArray(value) ? { ...value, piped: true } : value;
    }
  }

  @Catch()
  class SpyFilter implements RpcExceptionFilter {
    catch(exception: unknown, host: ArgumentsHost): Observable<never> {
      calls.filter.push(topicOf(host));
      return throwError(() => exception);
    }
  }

  @Controller()
  class Handlers {
    @EventPattern<string>('orders')
    order(@Payload() data: unknown) {
      handled.push(data);
    }

    @EventPattern<string>('denied')
    denied(@Payload() data: unknown) {
      handled.push(data);
    }

    @EventPattern<string>('boom')
    boom() {
      throw new Error('boom from the handler');
    }

    @MessagePattern<string>('sum')
    sum(@Payload() numbers: number[]) {
      return numbers.reduce((a, b) => a + b, 0);
    }
  }

  beforeEach(async () => {
    calls.guard = [];
    calls.interceptor = [];
    calls.pipe = 0;
    calls.filter = [];
    handled.length = 0;
    class TestModule {}
    Module({ controllers: [Handlers] })(TestModule);
    const strategy = new ServerRedisStreams({ connection: connection(), prefix: f.prefix, group: 'g', blockMs: 500, retry: { maxAttempts: 1 } });
    app = await NestFactory.createMicroservice(TestModule, { strategy, logger: false, abortOnError: false });
    app.useGlobalGuards(new SpyGuard());
    app.useGlobalInterceptors(new SpyInterceptor());
    app.useGlobalPipes(new SpyPipe());
    app.useGlobalFilters(new SpyFilter());
    await app.listen();
  });

  afterEach(async () => {
    await app.close();
  });

  const deadLetters = async (topic: string) =>
    (await f.redis.xrange(`${f.prefix}:{${topic}}:dlq`, '-', '+')).map(([, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) o[fields[i]] = fields[i + 1];
      return o;
    });

  it('should run the guard, the interceptor and the pipe for an event, and ack it', async () => {
    await lastValueFrom(f.client.emit('orders', { n: 1 }));
    await waitFor(() => handled.length === 1, 'the event handled');
    expect(handled[0]).toEqual({ n: 1, piped: true });
    expect(calls.guard).toEqual(['orders']);
    expect(calls.interceptor).toEqual(['orders']);
    expect(calls.pipe).toBeGreaterThan(0);
    await waitFor(async () => ((await f.redis.xpending(`${f.prefix}:{orders}`, 'g')) as [number])[0] === 0, 'acked');
  });

  it("should answer a request through the interceptor's mapping", async () => {
    expect(await lastValueFrom(f.client.send('sum', [1, 2, 3]))).toBe(60);
    expect(calls.guard).toContain('sum');
    expect(calls.interceptor).toContain('sum');
  });

  it('should not call the handler of an event the guard refuses, and dead-letter it with the reason', async () => {
    await lastValueFrom(f.client.emit('denied', { n: 2 }));
    await waitFor(async () => (await deadLetters('denied')).length === 1, 'a dead letter');
    const [dl] = await deadLetters('denied');
    // dlq.error is the error's name and message, then its stack (docs/api.md).
    expect(dl['dlq.error'].split('\n')[0]).toBe('Error: Forbidden resource'); // Nest's RpcException('Forbidden resource')
    expect(handled).toEqual([]);
    expect(calls.guard).toEqual(['denied']);
  });

  it("should call the filter for a failing event, and dead-letter the handler's own error", async () => {
    await lastValueFrom(f.client.emit('boom', { n: 3 }));
    await waitFor(async () => (await deadLetters('boom')).length === 1, 'a dead letter');
    expect((await deadLetters('boom'))[0]['dlq.error'].split('\n')[0]).toBe('Error: boom from the handler');
    expect(calls.filter).toEqual(['boom']);
  });
});
