import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom, throwError } from 'rxjs';
import { RedisStreamsContext, UnrecoverableMessageError } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { startServer } from '../helpers/nest.js';
import { waitFor } from '../helpers/wait.js';

const fast = { maxAttempts: 3, backoff: { type: 'fixed' as const, delayMs: 50, jitter: false } };

describe('ServerRedisStreams failure handling', () => {
  const f = useRedisFixture();

  const pendingCount = async (group: string) =>
    ((await f.redis.xpending(`${f.prefix}:{jobs}`, group)) as [number])[0];
  const deadLetters = async () =>
    (await f.redis.xrange(`${f.prefix}:{jobs}:dlq`, '-', '+')).map(([id, f]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
      return { dlqEntryId: id, ...o } as Record<string, string>;
    });

  it('should redeliver a throwing handler’s message, not ack it, with the attempt counting up', async () => {
    const attempts: number[] = [];
    @Controller()
    class Flaky {
      @EventPattern<string>('jobs')
      handle(@Ctx() ctx: RedisStreamsContext) {
        attempts.push(ctx.getAttempt());
        if (ctx.getAttempt() < 3) throw new Error('not yet');
      }
    }
    f.servers.push(await startServer([Flaky], { prefix: f.prefix, group: 'g', retry: fast }));
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(() => attempts.length === 3, 'three attempts');
    await waitFor(async () => (await pendingCount('g')) === 0, 'ack after success');
    expect(attempts).toEqual([1, 2, 3]);
    expect(await deadLetters()).toEqual([]);
    expect(await f.redis.hlen(`${f.prefix}:{jobs}:failures:g`)).toBe(0);
  });

  it('should not ack a handler whose Observable errors', async () => {
    let calls = 0;
    @Controller()
    class ObservableFails {
      @EventPattern<string>('jobs')
      handle() {
        calls++;
        return throwError(() => new Error('stream failed'));
      }
    }
    f.servers.push(await startServer([ObservableFails], { prefix: f.prefix, group: 'g', retry: { ...fast, maxAttempts: 2 } }));
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(async () => (await deadLetters()).length === 1, 'a dead letter');
    expect(calls).toBe(2);
    expect((await deadLetters())[0]['dlq.error']).toContain('stream failed');
  });

  it('should dead-letter after maxAttempts with the real error, and leave the PEL empty', async () => {
    let calls = 0;
    @Controller()
    class AlwaysFails {
      @EventPattern<string>('jobs')
      handle() {
        calls++;
        throw new TypeError('card declined');
      }
    }
    f.servers.push(await startServer([AlwaysFails], { prefix: f.prefix, group: 'g', retry: fast }));
    const id = await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(async () => (await deadLetters()).length === 1, 'a dead letter');
    await waitFor(async () => (await pendingCount('g')) === 0, 'empty PEL');
    const [dl] = await deadLetters();
    expect(calls).toBe(3);
    expect(dl['dlq.group']).toBe('g');
    expect(dl['dlq.topic']).toBe('jobs');
    expect(dl['dlq.attempts']).toBe('3');
    expect(dl['dlq.error']).toMatch(/^TypeError: card declined/);
    expect(Number(dl['dlq.lastFailedAt'])).toBeGreaterThanOrEqual(Number(dl['dlq.firstFailedAt']));
    expect(dl['dlq.entryId']).toMatch(/^\d+-\d+$/); // the original entry id…
    expect(dl.id).toBe(id); // …and the original fields are kept
    expect(JSON.parse(dl.data)).toEqual({ n: 1 });
  });

  it('should dead-letter an UnrecoverableMessageError at once, without filters', async () => {
    let calls = 0;
    @Controller()
    class Rejects {
      @EventPattern<string>('jobs')
      handle() {
        calls++;
        throw new UnrecoverableMessageError('schema mismatch');
      }
    }
    f.servers.push(await startServer([Rejects], { prefix: f.prefix, group: 'g', retry: fast }));
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(async () => (await deadLetters()).length === 1, 'a dead letter');
    expect(calls).toBe(1);
    expect((await deadLetters())[0]['dlq.error']).toContain('schema mismatch');
    expect((await deadLetters())[0]['dlq.attempts']).toBe('1');
  });

  it('should keep retries private to the failing group', async () => {
    const a: number[] = [];
    const b: number[] = [];
    @Controller()
    class GroupA {
      @EventPattern<string>('jobs', { group: 'a' })
      handle(@Ctx() ctx: RedisStreamsContext) {
        a.push(ctx.getAttempt());
        if (ctx.getAttempt() < 3) throw new Error('a fails twice');
      }
    }
    @Controller()
    class GroupB {
      @EventPattern<string>('jobs', { group: 'b' })
      handle(@Ctx() ctx: RedisStreamsContext) {
        b.push(ctx.getAttempt());
      }
    }
    f.servers.push(await startServer([GroupA, GroupB], { prefix: f.prefix, retry: fast }));
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(() => a.length === 3, 'group a succeeds on attempt 3');
    await waitFor(async () => (await pendingCount('a')) === 0 && (await pendingCount('b')) === 0, 'both acked');
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1]);
  });

  it('should dead-letter a malformed entry without calling a handler, and keep reading', async () => {
    const seen: unknown[] = [];
    @Controller()
    class Reads {
      @EventPattern<string>('jobs')
      handle(@Payload() data: unknown) {
        seen.push(data);
      }
    }
    f.servers.push(await startServer([Reads], { prefix: f.prefix, group: 'g' }));
    await f.redis.xadd(`${f.prefix}:{jobs}`, '*', 'garbage', 'yes');
    await f.redis.xadd(`${f.prefix}:{jobs}`, '*', 'id', 'm1', 'ts', '1', 'data', '{not json');
    await lastValueFrom(f.client.emit('jobs', { ok: true }));
    await waitFor(() => seen.length === 1, 'the valid message');
    await waitFor(async () => (await deadLetters()).length === 2, 'two dead letters');
    const dls = await deadLetters();
    expect(seen).toEqual([{ ok: true }]);
    expect(dls[0]['dlq.error']).toContain('missing "id"');
    expect(dls[1]['dlq.error']).toContain('not JSON');
    expect(JSON.parse(dls[0].raw)).toEqual(['garbage', 'yes']);
    await waitFor(async () => (await pendingCount('g')) === 0, 'empty PEL');
  });

  it('should drop with a warning instead of dead-lettering when deadLetter is false, forgetting its retries', async () => {
    let calls = 0;
    @Controller()
    class NoDlq {
      @EventPattern<string>('jobs', { deadLetter: false, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10, jitter: false } } })
      handle() {
        calls++;
        throw new Error('nope');
      }
    }
    f.servers.push(await startServer([NoDlq], { prefix: f.prefix, group: 'g' }));
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(() => calls === 2, 'two calls');
    await waitFor(async () => (await pendingCount('g')) === 0, 'acked (dropped)');
    expect(await deadLetters()).toEqual([]);
    // Its first-failure record goes with it (it stayed behind before).
    await waitFor(async () => (await f.redis.exists(`${f.prefix}:{jobs}:failures:g`)) === 0, 'the failure record gone');
  });

  it('should never run more than `concurrency` handlers at once', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    @Controller()
    class Slow {
      @EventPattern<string>('jobs', { concurrency: 4 })
      async handle() {
        running++;
        peak = Math.max(peak, running);
        await new Promise(resolve => setImmediate(resolve));
        await new Promise(resolve => setTimeout(resolve, 5));
        running--;
        done++;
      }
    }
    f.servers.push(await startServer([Slow], { prefix: f.prefix, group: 'g', batchSize: 64 }));
    await Promise.all(Array.from({ length: 60 }, (_, i) => lastValueFrom(f.client.emit('jobs', { i }))));
    await waitFor(() => done === 60, 'all handled');
    expect(peak).toBe(4);
  });
});
