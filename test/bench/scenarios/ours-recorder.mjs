/**
 * Ours with the consumption recorder wired by hand (no module): `ServerRedisStreams({ observer })`
 * with a `ConsumptionRecorder` over a TypeORM DataSource on `cfg.databaseUrl` when `cfg.recording`,
 * no observer otherwise. Isolates the recorder's cost from the module's metrics. The producer is
 * the plain client.
 */
import { DataSource } from 'typeorm';
import { eventHandlerModule, startMicroservice } from '../lib/nest-app.mjs';
import { loadOursWithTypeorm } from '../lib/ours-build.mjs';
import { recorderReports } from '../lib/recorder-wait.mjs';
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
    ...recorderReports(recorder, cfg),
  };
}
