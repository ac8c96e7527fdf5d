import { lastValueFrom } from 'rxjs';
import type { RedisStreamsContext } from '../../../lib/index.js';
import { useRedisFixture } from '../../helpers/fixture.js';
import { startServer } from '../../helpers/nest.js';
import { deferred, waitFor } from '../../helpers/wait.js';

const fast = { maxAttempts: 3, backoff: { type: 'fixed' as const, delayMs: 20, jitter: false } };

describe('handlerTimeoutMs', () => {
  const f = useRedisFixture();
  const release = deferred();
  afterAll(() => release.resolve());

  const deadLetters = async (topic: string) =>
    (await f.redis.xrange(`${f.prefix}:{${topic}}:dlq`, '-', '+')).map(([, fl]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < fl.length; i += 2) o[fl[i]] = fl[i + 1];
      return o;
    });

  it('should count a hung handler as a failed attempt and retry it', async () => {
    const attempts: number[] = [];
    const server = await startServer([], { prefix: f.prefix, retry: fast, handlerTimeoutMs: 150 });
    f.servers.push(server);
    await server.server.subscribe(
      'slow',
      async (_data, ctx: RedisStreamsContext) => {
        attempts.push(ctx.getAttempt());
        if (ctx.getAttempt() === 1) await release.promise; // hangs past the timeout
      },
      { group: 'g', startFrom: 'earliest' },
    );
    await lastValueFrom(f.client.emit('slow', { n: 1 }));
    await waitFor(() => attempts.length === 2, 'the retry after the timeout');
    await waitFor(async () => ((await f.redis.xpending(`${f.prefix}:{slow}`, 'g')) as [number])[0] === 0, 'acked');
    expect(attempts).toEqual([1, 2]);
    expect(await deadLetters('slow')).toEqual([]);
  });

  it('should dead-letter after the last timed-out attempt with the timeout error, per-handler limit first', async () => {
    let calls = 0;
    const server = await startServer([], { prefix: f.prefix, retry: { ...fast, maxAttempts: 2 }, handlerTimeoutMs: 60_000 });
    f.servers.push(server);
    await server.server.subscribe(
      'stuck',
      async () => {
        calls++;
        await release.promise;
      },
      { group: 'g', startFrom: 'earliest', handlerTimeoutMs: 100 },
    );
    const started = Date.now();
    const id = await lastValueFrom(f.client.emit('stuck', { n: 1 }));
    await waitFor(async () => (await deadLetters('stuck')).length === 1, 'a dead letter');
    expect(Date.now() - started).toBeLessThan(10_000); // the extras' 100 ms, not the server's 60 s
    expect(calls).toBe(2);
    const [dl] = await deadLetters('stuck');
    expect(dl.id).toBe(id);
    expect(dl['dlq.attempts']).toBe('2');
    expect(dl['dlq.error']).toMatch(/HandlerTimeoutError: Handler for topic "stuck" .* did not finish within 100 ms/);
    // Settled: nothing left pending for the group, so no lease is kept for the hung calls.
    expect(((await f.redis.xpending(`${f.prefix}:{stuck}`, 'g')) as [number])[0]).toBe(0);
  });
});
