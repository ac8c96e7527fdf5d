import { ConsoleLogger, Controller, Module, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ServerRedisStreams } from '../../lib/index.js';
import { useRedisFixture } from '../helpers/fixture.js';
import { connection } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** A Nest logger that records instead of printing. */
class CapturingLogger extends ConsoleLogger {
  readonly lines: { level: LogLevel; context: string; text: string; stack?: unknown }[] = [];

  protected override printMessages(messages: unknown[], context = '', logLevel: LogLevel = 'log', _stream?: unknown, errorStack?: unknown): void {
    for (const message of messages) {
      this.lines.push({ level: logLevel, context, text: message instanceof Error ? String(message.stack) : String(message), stack: errorStack });
    }
  }
}

describe('ServerRedisStreams logging', () => {
  const f = useRedisFixture();

  async function run(logLevels: LogLevel[]) {
    const logger = new CapturingLogger({ logLevels });
    let calls = 0;
    @Controller()
    class Failing {
      @EventPattern<string>('jobs', { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 20, jitter: false } } })
      handle() {
        calls++;
        throw new Error(`boom ${calls}`);
      }
    }
    @Module({ controllers: [Failing] })
    class M {}
    const server = new ServerRedisStreams({ connection: connection(), prefix: f.prefix, blockMs: 500 });
    const app = await NestFactory.createMicroservice(M, { strategy: server, logger, abortOnError: false });
    await app.listen();
    f.servers.push({ app, server, close: () => app.close() });
    await lastValueFrom(f.client.emit('jobs', { n: 1 }));
    await waitFor(async () => (await f.redis.xlen(`${f.prefix}:{jobs}:dlq`)) === 1, 'the dead letter');
    await waitFor(() => logger.lines.some(l => l.level === 'error'), 'the dead-letter log line');
    return logger.lines;
  }

  it('should log one warn line per failed attempt and one error line per dead letter, without stacks', async () => {
    const lines = await run(['log', 'warn', 'error']);
    const ours = lines.filter(l => l.context === ServerRedisStreams.name && /failed attempt/.test(l.text));
    expect(ours.map(l => l.level)).toEqual(['warn', 'error']);
    expect(ours[0].text).toMatch(/jobs\/default: message .* failed attempt 1: Error: boom 1; retry in 20 ms$/);
    expect(ours[1].text).toMatch(/failed attempt 2: Error: boom 2; dead-lettered \(max-attempts\)$/);
    expect(ours.every(l => !l.text.includes('\n') && l.stack === undefined)).toBe(true);
    // Nest's RPC exception filter no longer logs the full stack of every failed attempt.
    expect(lines.filter(l => l.context === 'RpcExceptionsHandler')).toEqual([]);
  });

  it('should add the handler stack at debug level only when Nest logs debug', async () => {
    const lines = await run(['log', 'warn', 'error', 'debug']);
    const debug = lines.filter(l => l.level === 'debug' && l.context === ServerRedisStreams.name);
    expect(debug).toHaveLength(2);
    expect(debug[0].text).toContain('Error: boom 1\n    at ');
    expect(lines.filter(l => l.level === 'warn' && /failed attempt/.test(l.text))).toHaveLength(1);
  });
});
