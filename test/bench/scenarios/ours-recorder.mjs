/**
 * Ours with the consumption recorder wired by hand (no module): `ServerRedisStreams({ observer })`
 * with a `ConsumptionRecorder` over a TypeORM DataSource on `cfg.databaseUrl` when `cfg.recording`,
 * no observer otherwise. Isolates the recorder's cost from the module's metrics. The producer is
 * the plain client.
 */
import { DataSource } from 'typeorm';
import { eventHandlerModule, startMicroservice } from '../lib/nest-app.mjs';
import { loadOursWithTypeorm } from '../lib/ours-build.mjs';
import { redisUrl } from '../lib/redis-url.mjs';

export { producer } from './ours.mjs';

export async function consumer(cfg, handle) {
  const lib = await loadOursWithTypeorm(cfg);
  let dataSource;
  let recorder;
  if (cfg.recording) {
    dataSource = new DataSource({ type: 'postgres', url: cfg.databaseUrl, poolSize: 4 });
    await dataSource.initialize();
    recorder = new lib.ConsumptionRecorder(dataSource, { prefix: cfg.prefix });
  }
  const strategy = new lib.ServerRedisStreams({ connection: { url: redisUrl() }, prefix: cfg.prefix, observer: recorder });
  const close = await startMicroservice(eventHandlerModule('t', handle, cfg.extras), { strategy });
  return {
    async close() {
      await close();
      await recorder?.close();
      await dataSource?.destroy();
    },
    /** Recorder counters once everything handled so far is written (waits up to 30 s). */
    async report() {
      if (!recorder) return undefined;
      const started = Date.now();
      const expected = cfg.messages + (cfg.warmup ?? 0);
      const settled = s => s.buffered === 0 && s.written.consumption + s.dropped.consumption >= expected;
      while (!settled(recorder.getStats()) && Date.now() - started < 30_000) await new Promise(r => setTimeout(r, 50));
      return { recorder: recorder.getStats(), recordsWrittenAfterMs: Date.now() - started };
    },
  };
}
