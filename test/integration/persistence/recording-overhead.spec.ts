/**
 * A measurement, not a test: how much consumption recording + metrics cost in throughput.
 * Runs only with MQ_MEASURE_RECORDING=1 (e.g. `MQ_MEASURE_RECORDING=1 npx jest recording-overhead`)
 * and asserts nothing about speed; the benchmark (`npm run bench`) owns the reported figures.
 */
import { Controller } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { EventPattern } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { composeObservers, type RedisStreamsObserver } from '../../../lib/index.js';
import { RedisStreamsMetricsObserver } from '../../../lib/prometheus/index.js';
import { ConsumptionRecorder } from '../../../lib/typeorm/index.js';
import { startClient, startServer } from '../../helpers/nest.js';
import { deletePrefix, inspector, randomPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';
import { migratedDatabase } from './fresh-database.js';

const MESSAGES = Number(process.env.MQ_MEASURE_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.MQ_MEASURE_ROUNDS ?? 3);
const measure = process.env.MQ_MEASURE_RECORDING === '1' ? describe : describe.skip;

measure('recording overhead (measurement)', () => {
  jest.setTimeout(600_000);

  it('should report msgs/s with and without recording + metrics', async () => {
    const db = await migratedDatabase();
    const redis = inspector();
    const results: Awaited<ReturnType<typeof runOnce>>[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const modes = (process.env.MQ_MEASURE_MODES ?? 'off,on').split(',');
        for (const mode of round % 2 ? [...modes].reverse() : modes) {
          results.push(await runOnce(mode as Mode, db.dataSource, redis));
        }
      }
    } finally {
      redis.disconnect();
      await db.drop();
    }
    const avg = (mode: string) => {
      const runs = results.filter(r => r.mode === mode).map(r => r.msgsPerSec);
      return runs.reduce((a, b) => a + b, 0) / runs.length;
    };
    const off = avg('off');
    const on = avg('on');
    process.stdout.write(
      `\nrecording overhead, ${MESSAGES} messages x ${ROUNDS} rounds\n` +
        results
          .map(
            r =>
              `  ${r.mode.padEnd(8)} ${Math.round(r.msgsPerSec)} msgs/s, CPU µs/msg ${JSON.stringify(r.cpuUsPerMessage)}` +
              (r.writtenAfterMs !== undefined ? `, records written ${r.writtenAfterMs} ms after the last ack, dropped ${r.dropped}` : ''),
          )
          .join('\n') +
        `\n  mean off ${Math.round(off)} msgs/s, on ${Math.round(on)} msgs/s, ratio ${(on / off).toFixed(3)}\n`,
    );
  });
});

/** off: nothing; on: recording + metrics; metrics / recorder: one of them; nodb: recording into a database that does nothing. */
type Mode = 'off' | 'on' | 'metrics' | 'recorder' | 'nodb';

async function runOnce(mode: Mode, database: { query(sql: string, p?: unknown[]): Promise<any> }, redis: Redis) {
  const prefix = randomPrefix();
  const client = await startClient(prefix);
  for (let sent = 0; sent < MESSAGES; sent += 1_000) {
    await Promise.all(Array.from({ length: Math.min(1_000, MESSAGES - sent) }, (_, i) => lastValueFrom(client.emit('bench', { i, pad: 'x'.repeat(200) }))));
  }
  await client.close();

  let handled = 0;
  let done: () => void;
  const finished = new Promise<void>(resolve => (done = resolve));
  @Controller()
  class Handlers {
    @EventPattern<string>('bench')
    handle() {
      if (++handled === MESSAGES) done();
    }
  }
  let recorder: ConsumptionRecorder | undefined;
  let observer: RedisStreamsObserver | undefined;
  if (mode !== 'off') {
    const registers = [new Registry()];
    const metrics =
      mode === 'on' || mode === 'metrics'
        ? new RedisStreamsMetricsObserver(
            new Counter({ name: 'mq_messages_total', help: 'h', labelNames: ['topic', 'group', 'outcome'], registers }),
            new Histogram({ name: 'mq_handler_duration_seconds', help: 'h', labelNames: ['topic', 'group', 'outcome'], registers }),
            new Histogram({ name: 'mq_message_latency_seconds', help: 'h', labelNames: ['topic', 'group'], registers }),
          )
        : undefined;
    if (mode !== 'metrics') {
      const nodb = { query: async (sql: string, p?: unknown[]) => (sql.includes('RETURNING id') ? database.query(sql, p) : []) };
      recorder = new ConsumptionRecorder(mode === 'nodb' ? nodb : database, { prefix });
    }
    observer = composeObservers(metrics, recorder);
  }
  const cpuBefore = cpuSnapshot();
  const started = Date.now();
  const server = await startServer([Handlers], { prefix, group: 'bench', startFrom: 'earliest', observer });
  await finished;
  const elapsed = Date.now() - started;
  await waitFor(async () => ((await redis.xpending(`${prefix}:{bench}`, 'bench')) as [number])[0] === 0, 'all acked', 60_000);
  let writtenAfterMs: number | undefined;
  if (recorder) {
    const ackedAt = Date.now();
    await waitFor(() => recorder!.getStats().buffered === 0, 'records written', 120_000);
    writtenAfterMs = Date.now() - ackedAt;
  }
  const cpu = cpuSnapshot(cpuBefore);
  await server.close();
  const dropped = recorder?.getStats().dropped.consumption;
  await recorder?.close();
  await database.query(`TRUNCATE consumption_records`);
  await deletePrefix(redis, prefix);
  const perMessage = (ms: number) => Math.round((ms * 1000) / MESSAGES * 10) / 10;
  return {
    mode,
    msgsPerSec: (MESSAGES * 1000) / elapsed,
    writtenAfterMs,
    dropped,
    cpuUsPerMessage: { node: perMessage(cpu.node), postgres: perMessage(cpu.postgres), redis: perMessage(cpu.redis) },
  };
}

/**
 * CPU time (ms) of this process, of every postgres process and of every redis-server since `since`:
 * on a shared machine, CPU per message is steadier than wall-clock throughput.
 */
function cpuSnapshot(since?: { node: number; postgres: number; redis: number }) {
  const usage = process.cpuUsage();
  const now = { node: (usage.user + usage.system) / 1000, postgres: 0, redis: 0 };
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  for (const pid of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      if (name === 'postgres') now.postgres += ms;
      else if (name.startsWith('redis-server')) now.redis += ms;
    } catch {
      // the process ended meanwhile
    }
  }
  if (!since) return now;
  return { node: now.node - since.node, postgres: now.postgres - since.postgres, redis: now.redis - since.redis };
}
